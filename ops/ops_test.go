package ops

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func get(t *testing.T, url string) (int, string, http.Header) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body), resp.Header
}

// TestMetrics: each hook moves its metric, the exposition is Prometheus's
// text format and passes the library's linter, and a nil *Metrics (no
// metrics configured) is safe.
func TestMetrics(t *testing.T) {
	var connected atomic.Bool
	m := NewMetrics(connected.Load)
	m.QuestionAnswered("ask", true, 120*time.Millisecond)
	m.QuestionAnswered("ask", false, 2*time.Second)
	m.QuestionAnswered("message", true, 40*time.Millisecond)
	m.GatewayReconnected()
	m.RESTError(500)
	m.RESTError(500)
	m.RESTError(0)
	m.DigestPosted()
	connected.Store(true)

	srv := httptest.NewServer(Handler(m))
	defer srv.Close()
	status, body, header := get(t, srv.URL+"/metrics")
	if status != http.StatusOK || !strings.HasPrefix(header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %d %s", status, header.Get("Content-Type"))
	}
	for _, want := range []string{
		`baobot_questions_answered_total{confident="true",via="ask"} 1`,
		`baobot_questions_answered_total{confident="false",via="ask"} 1`,
		`baobot_questions_answered_total{confident="true",via="message"} 1`,
		`baobot_answer_duration_seconds_bucket{via="ask",le="0.25"} 1`,
		`baobot_answer_duration_seconds_bucket{via="ask",le="2.5"} 2`,
		`baobot_answer_duration_seconds_count{via="ask"} 2`,
		`baobot_gateway_reconnects_total 1`,
		`baobot_rest_errors_total{status="500"} 2`,
		`baobot_rest_errors_total{status="network"} 1`,
		`baobot_digests_posted_total 1`,
		`baobot_gateway_connected 1`,
		`go_goroutines `,
		`process_start_time_seconds `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	problems, err := testutil.GatherAndLint(m.Registry())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		if strings.HasPrefix(p.Metric, "baobot_") {
			t.Errorf("lint: %s: %s", p.Metric, p.Text)
		}
	}

	var none *Metrics
	none.QuestionAnswered("ask", true, time.Second)
	none.GatewayReconnected()
	none.RESTError(500)
	none.DigestPosted()
}

// TestHealthz: 200 and "ok" when every check holds; 503 naming what fails
// otherwise; only GET.
func TestHealthz(t *testing.T) {
	var gatewayErr atomic.Pointer[error]
	ok := error(nil)
	gatewayErr.Store(&ok)
	h := Handler(NewMetrics(nil),
		Check{"gateway", func() error { return *gatewayErr.Load() }},
		Check{"database", func() error { return nil }})
	srv := httptest.NewServer(h)
	defer srv.Close()

	var body health
	status, raw, header := get(t, srv.URL+"/healthz")
	if err := json.Unmarshal([]byte(raw), &body); err != nil || status != http.StatusOK ||
		body.Status != "ok" || body.Checks["gateway"] != "ok" || body.Checks["database"] != "ok" {
		t.Errorf("healthy: %d %s (%v)", status, raw, err)
	}
	if ct := header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}

	down := errors.New("not connected")
	gatewayErr.Store(&down)
	status, raw, _ = get(t, srv.URL+"/healthz")
	body = health{}
	if err := json.Unmarshal([]byte(raw), &body); err != nil || status != http.StatusServiceUnavailable ||
		body.Status != "unavailable" || body.Checks["gateway"] != "not connected" || body.Checks["database"] != "ok" {
		t.Errorf("gateway down: %d %s (%v)", status, raw, err)
	}

	resp, err := http.Post(srv.URL+"/healthz", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /healthz: %d", resp.StatusCode)
	}
	if status, _, _ := get(t, srv.URL+"/"); status != http.StatusNotFound {
		t.Errorf("GET /: %d", status)
	}
}

// TestListen serves on a real 127.0.0.1 port, refuses an address in use,
// and stops on Close.
func TestListen(t *testing.T) {
	s, err := Listen("127.0.0.1:0", Handler(NewMetrics(nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if status, body, _ := get(t, "http://"+s.Addr()+"/healthz"); status != http.StatusOK || !strings.Contains(body, `"status":"ok"`) {
		t.Errorf("GET /healthz: %d %s", status, body)
	}
	if _, err := Listen(s.Addr(), Handler(NewMetrics(nil)), nil); err == nil || !strings.Contains(err.Error(), "metrics.addr") {
		t.Errorf("a second listener on %s: %v", s.Addr(), err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get("http://" + s.Addr() + "/healthz"); err == nil {
		t.Error("still serving after Close")
	}
}
