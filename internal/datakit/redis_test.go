package datakit

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/openkonnect/terraform-provider-konnect/internal/redistest"
	"github.com/redis/go-redis/v9"
)

// The cache node against a real redis-server: the first request misses and stores, the
// second hits, and the entry carries the node's ttl.
func TestRedisCache(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server is not installed")
	}
	host, port := redistest.Start(t)
	f := compile(t, cacheFlow(fmt.Sprintf(`{"cache":{"strategy":"redis","redis":{"host":%q,"port":%d,"database":2}}}`, host, port)))
	factory := &DefaultRedis{}
	t.Cleanup(func() { _ = factory.Close() })
	env := func(e *Env) { e.Redis = factory }
	status, body := runCacheFlow(t, f, env, "k=rk&v=first")
	if status != 200 || body["stored"] != true {
		t.Fatalf("first request: %d %v", status, body)
	}
	status, body = runCacheFlow(t, f, env, "k=rk&v=second")
	if status != 203 || body["hit"] != true || mustJSON(body["data"]) != `{"value":"first"}` {
		t.Errorf("second request: %d %v", status, body)
	}
	db2 := redis.NewClient(&redis.Options{Addr: net.JoinHostPort(host, strconv.Itoa(port)), DB: 2})
	defer func() { _ = db2.Close() }()
	if v, err := db2.Get(context.Background(), "rk").Result(); err != nil || v != `{"value":"first"}` {
		t.Errorf("redis database 2 has %q (%v)", v, err)
	}
	if ttl, err := db2.TTL(context.Background(), "rk").Result(); err != nil || ttl <= 0 || ttl > 60*time.Second {
		t.Errorf("ttl %v (%v), want the node's 60s", ttl, err)
	}
	if n, err := redistest.Client(t, host, port).Exists(context.Background(), "rk").Result(); err != nil || n != 0 {
		t.Errorf("the key is in database 0: %d %v", n, err)
	}
}
