package server

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter is a token bucket per client address, in a map bounded by max.
type limiter struct {
	mu      sync.Mutex
	r       rate.Limit
	b, max  int
	clients map[string]*client
}

type client struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLimiter(r rate.Limit, b, max int) *limiter {
	return &limiter{r: r, b: b, max: max, clients: map[string]*client{}}
}

// allow takes one token for addr, or says how long until one is free.
func (l *limiter) allow(addr string, now time.Time) (bool, time.Duration) {
	if l.r == rate.Inf {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	c, ok := l.clients[addr]
	if !ok {
		if len(l.clients) >= l.max {
			l.evict(now)
		}
		c = &client{lim: rate.NewLimiter(l.r, l.b)}
		l.clients[addr] = c
	}
	c.seen = now
	res := c.lim.ReserveN(now, 1)
	if !res.OK() {
		return false, time.Second
	}
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return false, d
	}
	return true, 0
}

// evict drops the clients whose bucket has refilled since they were last
// seen: they are indistinguishable from new ones, so forgetting them loses
// nothing. If every client is active, one is dropped (the map's order is
// random), which keeps memory bounded under a flood of addresses.
func (l *limiter) evict(now time.Time) {
	full := time.Duration(float64(l.b) / float64(l.r) * float64(time.Second))
	for k, c := range l.clients {
		if now.Sub(c.seen) > full {
			delete(l.clients, k)
		}
	}
	if len(l.clients) < l.max {
		return
	}
	for k := range l.clients {
		delete(l.clients, k)
		break
	}
}

func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.clients)
}

// clientAddr is the address a request is limited by: the peer's IP (the
// last X-Forwarded-For entry behind a trusted proxy), IPv6 by its /64.
func clientAddr(r *http.Request, trustProxy bool) string {
	host := r.RemoteAddr
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if trustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			host = strings.TrimSpace(parts[len(parts)-1])
		}
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return host
	}
	if ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return ip.String()
}

// retryAfter is the Retry-After header value: whole seconds, at least 1.
func retryAfter(d time.Duration) string {
	s := int(math.Ceil(d.Seconds()))
	if s < 1 {
		s = 1
	}
	return strconv.Itoa(s)
}
