package bot

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder is an API that answers the statuses it is given, in turn, and
// records what it was asked.
type recorder struct {
	mu       sync.Mutex
	statuses []int
	got      []string // method, path and body of each request
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.got = append(r.got, req.Method+" "+req.Host+req.URL.RequestURI()+" "+string(body))
	status := http.StatusOK
	if len(r.statuses) > 0 {
		status, r.statuses = r.statuses[0], r.statuses[1:]
	}
	r.mu.Unlock()
	w.WriteHeader(status)
}

func newTestTransport(t *testing.T, api string) (*transport, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	tr, err := newTransport(api, http.DefaultTransport, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	tr.backoff = time.Millisecond
	return tr, &logs
}

func TestTransportRewritesEveryRequest(t *testing.T) {
	rec := &recorder{}
	api := httptest.NewServer(rec)
	defer api.Close()
	host := strings.TrimPrefix(api.URL, "http://")
	for _, tc := range []struct{ base, want string }{
		{api.URL, "GET " + host + "/api/v9/gateway?x=1 "},
		{api.URL + "/proxy/discord/", "GET " + host + "/proxy/discord/api/v9/gateway?x=1 "},
	} {
		tr, _ := newTestTransport(t, tc.base)
		resp, err := (&http.Client{Transport: tr}).Get("https://discord.com/api/v9/gateway?x=1")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := rec.got[len(rec.got)-1]; got != tc.want {
			t.Errorf("base %s: request %q, want %q", tc.base, got, tc.want)
		}
	}
	for _, bad := range []string{"", "discord.com", "ftp://discord.com", "https://"} {
		if _, err := newTransport(bad, nil, nil); err == nil {
			t.Errorf("newTransport(%q) accepted", bad)
		}
	}
}

func TestTransportRetriesServerErrors(t *testing.T) {
	rec := &recorder{statuses: []int{500, 503, 200, 502, 502, 502, 404}}
	api := httptest.NewServer(rec)
	defer api.Close()
	tr, logs := newTestTransport(t, api.URL)
	client := &http.Client{Transport: tr}
	post := func() int {
		t.Helper()
		resp, err := client.Post("https://discord.com/api/v9/interactions/1/SECRET/callback", "application/json", strings.NewReader(`{"type":4}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if status := post(); status != 200 {
		t.Errorf("after 500, 503: %d, want 200", status)
	}
	if status := post(); status != 502 {
		t.Errorf("after three 502: %d, want 502 (given up)", status)
	}
	if status := post(); status != 404 {
		t.Errorf("a 404 is not retried: %d", status)
	}
	if len(rec.got) != 7 {
		t.Fatalf("%d requests, want 3 + 3 + 1", len(rec.got))
	}
	for _, g := range rec.got {
		if !strings.HasSuffix(g, ` {"type":4}`) {
			t.Errorf("a retry lost its body: %q", g)
		}
	}
	if strings.Contains(logs.String(), "SECRET") || !strings.Contains(logs.String(), "giving up") {
		t.Errorf("logs:\n%s", logs)
	}
}

func TestRedactPath(t *testing.T) {
	for in, want := range map[string]string{
		"/api/v9/interactions/123/aW50ZXJhY3Rpb24/callback":         "/api/v9/interactions/123/[token]/callback",
		`Post "https://x/api/v9/webhooks/9/tok/messages/@original"`: `Post "https://x/api/v9/webhooks/9/[token]/messages/@original"`,
		"/api/v9/channels/123/messages":                             "/api/v9/channels/123/messages",
	} {
		if got := redactPath(in); got != want {
			t.Errorf("redactPath(%q) = %q, want %q", in, got, want)
		}
	}
}
