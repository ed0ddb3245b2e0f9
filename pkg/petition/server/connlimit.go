package server

import (
	"net"
	"sync"
)

// Defaults of the connection caps (Config.MaxConns, MaxConnsPerAddr).
const (
	DefaultMaxConns        = 4096
	DefaultMaxConnsPerAddr = 128
)

// limitListener caps the connections a server holds open: at most perAddr
// from one client address (the TCP peer) and total in all. A connection
// over a cap is closed at once, before anything is read, so that one
// address opening thousands of slow connections cannot use up the
// process's file descriptors and stall every other client (issue 16:
// 21,000 slow-body connections from one address stalled the rest for
// 15 s). Behind a reverse proxy every connection comes from the proxy:
// raise or lift perAddr there (0: no cap).
type limitListener struct {
	net.Listener
	total, perAddr int

	mu     sync.Mutex
	open   int
	byAddr map[string]int
}

func limitConns(ln net.Listener, total, perAddr int) net.Listener {
	if total <= 0 && perAddr <= 0 {
		return ln
	}
	return &limitListener{Listener: ln, total: total, perAddr: perAddr, byAddr: map[string]int{}}
}

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		host := peer(c)
		l.mu.Lock()
		over := l.total > 0 && l.open >= l.total || l.perAddr > 0 && l.byAddr[host] >= l.perAddr
		if !over {
			l.open++
			l.byAddr[host]++
		}
		l.mu.Unlock()
		if over {
			c.Close()
			continue
		}
		return &limitedConn{Conn: c, release: sync.OnceFunc(func() { l.release(host) })}, nil
	}
}

func (l *limitListener) release(host string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open--
	if l.byAddr[host]--; l.byAddr[host] <= 0 {
		delete(l.byAddr, host)
	}
}

func peer(c net.Conn) string {
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		return a.IP.String()
	}
	host, _, _ := net.SplitHostPort(c.RemoteAddr().String())
	return host
}

// limitedConn gives its place back when closed.
type limitedConn struct {
	net.Conn
	release func()
}

func (c *limitedConn) Close() error {
	c.release()
	return c.Conn.Close()
}
