package dataplane

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/textproto"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// rate-limiting: fixed windows aligned to the UTC calendar, counted per identifier, in this
// process (policy local) or in Redis (policy redis), so several emulators can share a limit.

func init() { Register("rate-limiting", newRateLimiting) }

// period is one configured limit.
type period struct {
	name   string // "second"...
	header string // "Second"...
	secs   int64  // the window's length as Kong counts it (month 30 days, year 365)
	limit  float64
}

// limitHeader and remainingHeader are X-RateLimit-Limit-<Period> and
// X-RateLimit-Remaining-<Period> in net/http's canonical form, to be assigned per request
// without canonicalizing them again.
func (p period) limitHeader() string {
	return textproto.CanonicalMIMEHeaderKey("X-RateLimit-Limit-" + p.header)
}

func (p period) remainingHeader() string {
	return textproto.CanonicalMIMEHeaderKey("X-RateLimit-Remaining-" + p.header)
}

var periods = []period{
	{name: "second", header: "Second", secs: 1}, {name: "minute", header: "Minute", secs: 60},
	{name: "hour", header: "Hour", secs: 3600}, {name: "day", header: "Day", secs: 86400},
	{name: "month", header: "Month", secs: 2592000}, {name: "year", header: "Year", secs: 31536000},
}

type rateLimiting struct {
	limits []period
	// limitHeaders and remainingHeaders are the limits' header names, in their order.
	limitHeaders, remainingHeaders []string
	limitBy                        string
	headerName                     string
	path                           string
	policy                         string
	faultTolerant                  bool
	hideHeaders                    bool
	errorCode                      int
	errorMessage                   string
	redis                          *redis.Client
	// route and service are the plugin's scope: the counters belong to it.
	route, service string
	redisTimeout   time.Duration
}

func newRateLimiting(c, plugin Entity) (Handler, error) {
	rl := &rateLimiting{route: RefID(plugin["route"]), service: RefID(plugin["service"]), limitBy: Str(c, "limit_by"), headerName: Str(c, "header_name"), path: Str(c, "path"),
		policy: Str(c, "policy"), faultTolerant: Bool(c, "fault_tolerant"), hideHeaders: Bool(c, "hide_client_headers"),
		errorCode: int(Num(c, "error_code")), errorMessage: Str(c, "error_message")}
	for _, p := range periods {
		if _, set := c[p.name]; set && c[p.name] != nil {
			p.limit = Num(c, p.name)
			rl.limits = append(rl.limits, p)
			rl.limitHeaders = append(rl.limitHeaders, p.limitHeader())
			rl.remainingHeaders = append(rl.remainingHeaders, p.remainingHeader())
		}
	}
	if rl.policy == "redis" {
		r, _ := c["redis"].(map[string]any)
		rl.redis, rl.redisTimeout = redisClient(r)
	}
	return rl, nil
}

// windowStart truncates now to the start of a period in UTC, as Kong's timestamp table does.
func windowStart(now time.Time, p period) time.Time {
	u := now.UTC()
	switch p.name {
	case "second":
		return u.Truncate(time.Second)
	case "minute":
		return u.Truncate(time.Minute)
	case "hour":
		return u.Truncate(time.Hour)
	case "day":
		return time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)
	case "month":
		return time.Date(u.Year(), u.Month(), 1, 0, 0, 0, 0, time.UTC)
	default:
		return time.Date(u.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	}
}

func (rl *rateLimiting) identifier(ctx *Context) string {
	id := ""
	switch rl.limitBy {
	case "consumer":
		id = Str(ctx.Consumer, "id")
		if id == "" {
			id = Str(ctx.Credential, "id")
		}
	case "credential":
		id = Str(ctx.Credential, "id")
	case "consumer-group":
		if ctx.Consumer != nil {
			if groups := ctx.Snapshot.ConsumerGroups(Str(ctx.Consumer, "id")); len(groups) > 0 {
				id = Str(groups[0], "id")
			}
		}
	case "service":
		id = ctx.ServiceID()
	case "header":
		// The client's header, not the upstream request's: plugins that ran before (key-auth
		// hiding the key, correlation-id adding an id) must not move the client to another counter.
		id = ctx.Downstream.Header.Get(rl.headerName)
	case "path":
		if ctx.Downstream.URL.Path == rl.path {
			id = rl.path
		}
	}
	if id == "" {
		id = ctx.ClientIP
	}
	return id
}

// zeroID stands for a plugin without a route or service in counter keys.
const zeroID = "00000000-0000-0000-0000-000000000000"

func (rl *rateLimiting) keys(ctx *Context, now time.Time) []string {
	route, service := rl.route, rl.service
	if route == "" {
		route = zeroID
	}
	if service == "" {
		service = zeroID
	}
	ident := rl.identifier(ctx)
	out := make([]string, len(rl.limits))
	for i, p := range rl.limits {
		out[i] = fmt.Sprintf("ratelimit:%s:%s:%s:%d:%s", route, service, ident, windowStart(now, p).UnixMilli(), p.name)
	}
	return out
}

func (rl *rateLimiting) Access(ctx *Context) {
	if len(rl.limits) == 0 {
		return
	}
	now := ctx.Now
	keys := rl.keys(ctx, now)
	usage, err := rl.usage(keys)
	if err != nil {
		if !rl.faultTolerant {
			ctx.Exit(http.StatusInternalServerError, "", nil)
		}
		return
	}
	stop := -1
	bestRemaining, bestIdx := 0.0, -1
	remaining := make([]float64, len(rl.limits))
	for i, p := range rl.limits {
		remaining[i] = p.limit - usage[i]
		if remaining[i] <= 0 && stop < 0 {
			stop = i
		}
		// The most restrictive period: least remaining, the longer window on a tie.
		if bestIdx < 0 || remaining[i] <= bestRemaining {
			bestRemaining, bestIdx = remaining[i], i
		}
	}
	reset := int64(0)
	if !rl.hideHeaders {
		h := ctx.ResponseHeader
		for i, p := range rl.limits {
			left := remaining[i]
			if stop < 0 || stop == i {
				left--
			}
			h[rl.limitHeaders[i]] = []string{strconv.FormatFloat(p.limit, 'f', -1, 64)}
			h[rl.remainingHeaders[i]] = []string{strconv.FormatFloat(max(0, left), 'f', -1, 64)}
		}
		best := rl.limits[bestIdx]
		elapsed := (now.UnixMilli() - windowStart(now, best).UnixMilli()) / 1000
		reset = max(1, best.secs-elapsed)
		left := bestRemaining
		if stop < 0 || stop == bestIdx {
			left--
		}
		h["Ratelimit-Limit"] = []string{strconv.FormatFloat(best.limit, 'f', -1, 64)}
		h["Ratelimit-Remaining"] = []string{strconv.FormatFloat(max(0, left), 'f', -1, 64)}
		h["Ratelimit-Reset"] = []string{strconv.FormatInt(reset, 10)}
	}
	if stop >= 0 {
		var hdr http.Header
		if !rl.hideHeaders {
			hdr = http.Header{"Retry-After": {strconv.FormatInt(reset, 10)}}
		}
		ctx.Exit(rl.errorCode, rl.errorMessage, hdr)
		return
	}
	if err := rl.increment(keys); err != nil && !rl.faultTolerant {
		ctx.Exit(http.StatusInternalServerError, "", nil)
	}
}

func (rl *rateLimiting) usage(keys []string) ([]float64, error) {
	out := make([]float64, len(keys))
	if rl.policy != "redis" {
		for i, k := range keys {
			out[i] = float64(localCounters.get(k))
		}
		return out, nil
	}
	if rl.redis == nil {
		return nil, fmt.Errorf("rate-limiting: no redis configured")
	}
	c, cancel := context.WithTimeout(context.Background(), rl.redisTimeout)
	defer cancel()
	vals, err := rl.redis.MGet(c, keys...).Result()
	if err != nil {
		return nil, fmt.Errorf("rate-limiting: reading counters from redis: %w", err)
	}
	for i, v := range vals {
		if s, ok := v.(string); ok {
			n, _ := strconv.ParseFloat(s, 64)
			out[i] = n
		}
	}
	return out, nil
}

func (rl *rateLimiting) increment(keys []string) error {
	if rl.policy != "redis" {
		for i, k := range keys {
			localCounters.incr(k, time.Duration(rl.limits[i].secs)*time.Second)
		}
		return nil
	}
	c, cancel := context.WithTimeout(context.Background(), rl.redisTimeout)
	defer cancel()
	_, err := rl.redis.Pipelined(c, func(pipe redis.Pipeliner) error {
		for i, k := range keys {
			pipe.IncrBy(c, k, 1)
			pipe.Expire(c, k, time.Duration(rl.limits[i].secs)*time.Second)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("rate-limiting: counting in redis: %w", err)
	}
	return nil
}

// counterStore is the local policy's counters, shared by every proxy in the process (the keys
// carry route and service ids, so control planes do not collide).
type counterStore struct {
	mu      sync.Mutex
	counts  map[string]int64
	expires map[string]time.Time
	sweep   time.Time
}

var localCounters = &counterStore{counts: map[string]int64{}, expires: map[string]time.Time{}}

func (c *counterStore) get(key string) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if exp, ok := c.expires[key]; ok && time.Now().After(exp) {
		return 0
	}
	return c.counts[key]
}

func (c *counterStore) incr(key string, ttl time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if exp, ok := c.expires[key]; ok && now.After(exp) {
		delete(c.counts, key)
	}
	c.counts[key]++
	if _, ok := c.expires[key]; !ok || c.counts[key] == 1 {
		c.expires[key] = now.Add(ttl)
	}
	if now.After(c.sweep) {
		for k, exp := range c.expires {
			if now.After(exp) {
				delete(c.counts, k)
				delete(c.expires, k)
			}
		}
		c.sweep = now.Add(10 * time.Second)
	}
}

var (
	redisMu      sync.Mutex
	redisClients = map[string]*redis.Client{}
)

// redisClient returns a shared client for the plugin's redis settings.
func redisClient(conf map[string]any) (*redis.Client, time.Duration) {
	host := Str(conf, "host")
	port := int(Num(conf, "port"))
	if port == 0 {
		port = 6379
	}
	timeout := time.Duration(Num(conf, "timeout")) * time.Millisecond
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	opts := &redis.Options{
		Addr: net.JoinHostPort(host, strconv.Itoa(port)), DB: int(Num(conf, "database")),
		Username: Str(conf, "username"), Password: Str(conf, "password"),
		DialTimeout: timeout, ReadTimeout: timeout, WriteTimeout: timeout, MaxRetries: -1,
	}
	if Bool(conf, "ssl") {
		opts.TLSConfig = &tls.Config{ServerName: Str(conf, "server_name"), InsecureSkipVerify: !Bool(conf, "ssl_verify")} //nolint:gosec // the user's choice, as in Kong
	}
	key := fmt.Sprintf("%s/%d/%s/%t", opts.Addr, opts.DB, opts.Username, opts.TLSConfig != nil)
	redisMu.Lock()
	defer redisMu.Unlock()
	if c, ok := redisClients[key]; ok {
		return c, timeout
	}
	c := redis.NewClient(opts)
	redisClients[key] = c
	return c, timeout
}
