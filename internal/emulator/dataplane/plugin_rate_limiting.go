package dataplane

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// rate-limiting: fixed windows aligned to the UTC calendar, counted per identifier, in this
// process (policy local) or in Redis (policy redis), so several emulators can share a limit.

func init() { RegisterTyped("rate-limiting", newRateLimiting) }

// rateLimitingConfig is rate-limiting's config. redis.cloud_authentication is not declared:
// Redis is reached with a password, never a cloud identity.
type rateLimitingConfig struct {
	Second *float64 `json:"second"`
	Minute *float64 `json:"minute"`
	Hour   *float64 `json:"hour"`
	Day    *float64 `json:"day"`
	Month  *float64 `json:"month"`
	Year   *float64 `json:"year"`

	LimitBy           string      `json:"limit_by"`
	HeaderName        string      `json:"header_name"`
	Path              string      `json:"path"`
	Policy            string      `json:"policy"`
	FaultTolerant     bool        `json:"fault_tolerant"`
	HideClientHeaders bool        `json:"hide_client_headers"`
	ErrorCode         float64     `json:"error_code"`
	ErrorMessage      string      `json:"error_message"`
	SyncRate          float64     `json:"sync_rate"`
	Redis             redisConfig `json:"redis"`
}

// limits are the configured periods' limits by period name; an unset period is nil.
func (c rateLimitingConfig) limits() map[string]*float64 {
	return map[string]*float64{"second": c.Second, "minute": c.Minute, "hour": c.Hour,
		"day": c.Day, "month": c.Month, "year": c.Year}
}

// redisConfig is a redis block (Kong's redis-ce partial).
type redisConfig struct {
	Host       string `json:"host"`
	Port       int    `json:"port"`
	Timeout    int64  `json:"timeout"`
	Username   string `json:"username"`
	Password   string `json:"password"`
	Database   int    `json:"database"`
	SSL        bool   `json:"ssl"`
	SSLVerify  bool   `json:"ssl_verify"`
	ServerName string `json:"server_name"`
}

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
	// redis is where the redis policy counts; syncRate, when above zero, is how long its hits
	// are counted in the node before they are added to Redis (sync_rate; -1 is every hit at once).
	redis    redisSettings
	syncRate time.Duration
	// conn is the node's connection for redis, bound on the first request (a plugin instance
	// belongs to one proxy's snapshot, so to one node).
	conn atomic.Pointer[redisConn]
	// route and service are the plugin's scope: the counters belong to it.
	route, service string
}

func newRateLimiting(c rateLimitingConfig, in Instance) (Handler, error) {
	rl := &rateLimiting{route: RefID(in.Entity["route"]), service: RefID(in.Entity["service"]), limitBy: c.LimitBy,
		headerName: c.HeaderName, path: c.Path, policy: c.Policy, faultTolerant: c.FaultTolerant,
		hideHeaders: c.HideClientHeaders, errorCode: int(c.ErrorCode), errorMessage: c.ErrorMessage}
	limits := c.limits()
	for _, p := range periods {
		if limit := limits[p.name]; limit != nil {
			p.limit = *limit
			rl.limits = append(rl.limits, p)
			rl.limitHeaders = append(rl.limitHeaders, p.limitHeader())
			rl.remainingHeaders = append(rl.remainingHeaders, p.remainingHeader())
		}
	}
	if rl.policy == "redis" {
		rl.redis = redisSettingsOf(c.Redis)
		if c.SyncRate > 0 {
			rl.syncRate = time.Duration(c.SyncRate * float64(time.Second))
		}
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

// counterKey is one period's counter for a request.
type counterKey struct {
	name string
	// ttl is how long Kong keeps a counter (the period's length from its first hit); windowEnd
	// is the end of the counter's window, where the redis syncer makes it expire.
	ttl       time.Duration
	windowEnd time.Time
}

func (rl *rateLimiting) keys(ctx *Context, now time.Time) []counterKey {
	route, service := rl.route, rl.service
	if route == "" {
		route = zeroID
	}
	if service == "" {
		service = zeroID
	}
	ident := rl.identifier(ctx)
	out := make([]counterKey, len(rl.limits))
	for i, p := range rl.limits {
		start := windowStart(now, p)
		ttl := time.Duration(p.secs) * time.Second
		out[i] = counterKey{name: fmt.Sprintf("ratelimit:%s:%s:%s:%d:%s", route, service, ident, start.UnixMilli(), p.name),
			ttl: ttl, windowEnd: start.Add(ttl)}
	}
	return out
}

// counters is where a policy counts: the node's memory, Redis at every hit, or the node's
// memory synced to Redis every sync_rate.
type counters interface {
	usage(keys []counterKey, now time.Time) ([]float64, error)
	increment(keys []counterKey) error
}

func (rl *rateLimiting) Access(ctx *Context) {
	if len(rl.limits) == 0 {
		return
	}
	now := ctx.Now
	keys := rl.keys(ctx, now)
	store, err := rl.counters(ctx)
	var usage []float64
	if err == nil {
		usage, err = store.usage(keys, now)
	}
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
	if ctx.Tracing() {
		ctx.Decide(rl.decision(ctx, usage, stop))
	}
	if stop >= 0 {
		var hdr http.Header
		if !rl.hideHeaders {
			hdr = http.Header{"Retry-After": {strconv.FormatInt(reset, 10)}}
		}
		ctx.Exit(rl.errorCode, rl.errorMessage, hdr)
		return
	}
	if err := store.increment(keys); err != nil && !rl.faultTolerant {
		ctx.Exit(http.StatusInternalServerError, "", nil)
	}
}

// decision is the trace's words: the counter's identifier and, for each period, the use
// against the limit.
func (rl *rateLimiting) decision(ctx *Context, usage []float64, stop int) string {
	var b strings.Builder
	if stop >= 0 {
		p := rl.limits[stop]
		b.WriteString("limit of " + strconv.FormatFloat(p.limit, 'f', -1, 64) + " per " + p.name + " reached")
	} else {
		b.WriteString("under its limits")
	}
	b.WriteString(" for " + rl.limitBy + " " + rl.identifier(ctx) + " (")
	for i, p := range rl.limits {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(p.name + ": " + strconv.FormatFloat(usage[i], 'f', -1, 64) + " of " + strconv.FormatFloat(p.limit, 'f', -1, 64) + " used before this request")
	}
	b.WriteString("; policy " + rl.policy + ")")
	return b.String()
}

// counters returns the policy's counters in the request's node.
func (rl *rateLimiting) counters(ctx *Context) (counters, error) {
	if ctx.node == nil {
		return nil, fmt.Errorf("rate-limiting: no gateway node to count in")
	}
	if rl.policy != "redis" {
		return ctx.node.counters, nil
	}
	conn := rl.conn.Load()
	if conn == nil {
		var err error
		if conn, err = ctx.node.redisConn(rl.redis); err != nil {
			return nil, fmt.Errorf("rate-limiting: %w", err)
		}
		rl.conn.Store(conn)
	}
	if rl.syncRate > 0 {
		return syncedCounters{conn.syncer, rl.syncRate}, nil
	}
	return conn, nil
}

// counterStore is the local policy's counters, one per node (so per control plane).
type counterStore struct {
	mu      sync.Mutex
	counts  map[string]int64
	expires map[string]time.Time
	sweep   time.Time
}

func newCounterStore() *counterStore {
	return &counterStore{counts: map[string]int64{}, expires: map[string]time.Time{}}
}

func (c *counterStore) usage(keys []counterKey, _ time.Time) ([]float64, error) {
	out := make([]float64, len(keys))
	for i, k := range keys {
		out[i] = float64(c.get(k.name))
	}
	return out, nil
}

func (c *counterStore) increment(keys []counterKey) error {
	for _, k := range keys {
		c.incr(k.name, k.ttl)
	}
	return nil
}

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

// redisSettings are a redis block's connection settings; equal settings share a connection.
type redisSettings struct {
	addr, username, password, serverName string
	database                             int
	ssl, sslVerify                       bool
	timeout                              time.Duration
}

func redisSettingsOf(conf redisConfig) redisSettings {
	port := conf.Port
	if port == 0 {
		port = 6379
	}
	timeout := time.Duration(conf.Timeout) * time.Millisecond
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	return redisSettings{addr: net.JoinHostPort(conf.Host, strconv.Itoa(port)), username: conf.Username,
		password: conf.Password, serverName: conf.ServerName, database: conf.Database,
		ssl: conf.SSL, sslVerify: conf.SSLVerify, timeout: timeout}
}

func (s redisSettings) options() *redis.Options {
	opts := &redis.Options{
		Addr: s.addr, DB: s.database, Username: s.username, Password: s.password,
		DialTimeout: s.timeout, ReadTimeout: s.timeout, WriteTimeout: s.timeout, MaxRetries: -1,
	}
	if s.ssl {
		opts.TLSConfig = &tls.Config{ServerName: s.serverName, InsecureSkipVerify: !s.sslVerify} //nolint:gosec // the user's choice, as in Kong
	}
	return opts
}

// redisConn is a node's client for one Redis server; it counts every hit in Redis at once
// (sync_rate -1), and its syncer serves the plugins that sync every sync_rate.
type redisConn struct {
	client  *redis.Client
	timeout time.Duration
	syncer  *redisSyncer
}

func (c *redisConn) usage(keys []counterKey, _ time.Time) ([]float64, error) {
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.name
	}
	vals, err := c.get(names)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(vals))
	for i, v := range vals {
		out[i] = float64(v)
	}
	return out, nil
}

// get reads counters from Redis (0 for a missing one).
func (c *redisConn) get(names []string) ([]int64, error) {
	rctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	vals, err := c.client.MGet(rctx, names...).Result()
	if err != nil {
		return nil, fmt.Errorf("rate-limiting: reading counters from redis: %w", err)
	}
	out := make([]int64, len(vals))
	for i, v := range vals {
		if s, ok := v.(string); ok {
			out[i], _ = strconv.ParseInt(s, 10, 64)
		}
	}
	return out, nil
}

func (c *redisConn) increment(keys []counterKey) error {
	rctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	_, err := c.client.Pipelined(rctx, func(pipe redis.Pipeliner) error {
		for _, k := range keys {
			pipe.IncrBy(rctx, k.name, 1)
			pipe.Expire(rctx, k.name, k.ttl)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("rate-limiting: counting in redis: %w", err)
	}
	return nil
}
