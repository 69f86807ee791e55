package ops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Check is one condition GET /healthz verifies. Check returns nil when it
// holds, else an error whose text (short, without secrets) the body shows.
type Check struct {
	Name  string
	Check func() error
}

// health is the body of GET /healthz.
type health struct {
	Status string            `json:"status"` // "ok" or "unavailable"
	Checks map[string]string `json:"checks"` // name → "ok" or what is wrong
}

// Handler serves GET /healthz (200 and {"status":"ok",…} when every check
// holds, else 503 and {"status":"unavailable",…} naming what is wrong) and
// GET /metrics (m in Prometheus's text format). Anything else is 404.
func Handler(m *Metrics, checks ...Check) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		h := health{Status: "ok", Checks: map[string]string{}}
		for _, c := range checks {
			h.Checks[c.Name] = "ok"
			if err := c.Check(); err != nil {
				h.Checks[c.Name] = err.Error()
				h.Status = "unavailable"
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if h.Status != "ok" {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_ = json.NewEncoder(w).Encode(h)
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.Registry(), promhttp.HandlerOpts{}))
	return mux
}

// Server is the HTTP server of Handler on one address.
type Server struct {
	ln   net.Listener
	srv  *http.Server
	done chan struct{}
	log  *slog.Logger
}

// Listen binds addr (host:port; port 0 picks one) at once, so that an
// address in use is an error now, and serves h on it until Close.
func Listen(addr string, h http.Handler, log *slog.Logger) (*Server, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics.addr: %w", err)
	}
	s := &Server{
		ln: ln, log: log, done: make(chan struct{}),
		srv: &http.Server{
			Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
			WriteTimeout: 30 * time.Second, IdleTimeout: time.Minute,
			ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		},
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("the metrics server stopped", "err", err)
		}
	}()
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops the server, letting requests in progress finish for up to
// five seconds.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	<-s.done
	return err
}
