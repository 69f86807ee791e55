package bot

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/baobot/baobot/digest"
	"github.com/baobot/baobot/messages"
)

// recordedMetrics is a Metrics that remembers every call, for tests.
type recordedMetrics struct {
	mu         sync.Mutex
	answers    map[string]int // via → questions answered
	confident  int
	reconnects int
	restErrors map[int]int // status → errors
	digests    int
}

var _ Metrics = (*recordedMetrics)(nil)

func newRecordedMetrics() *recordedMetrics {
	return &recordedMetrics{answers: map[string]int{}, restErrors: map[int]int{}}
}

func (m *recordedMetrics) QuestionAnswered(via string, confident bool, took time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.answers[via]++
	if confident {
		m.confident++
	}
}

func (m *recordedMetrics) GatewayReconnected() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reconnects++
}

func (m *recordedMetrics) RESTError(status int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.restErrors[status]++
}

func (m *recordedMetrics) DigestPosted() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.digests++
}

// TestDigestPostedCounted: a digest posted counts once, however many
// messages it takes; one that fails counts not. Posting needs no gateway.
func TestDigestPostedCounted(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	m := newRecordedMetrics()
	b, err := New(Config{Token: testToken, APIURL: srv.URL(), Metrics: m}, newDB(t))
	if err != nil {
		t.Fatal(err)
	}
	d := digest.Digest{Lang: messages.English, Zone: time.UTC}
	if err := b.PostDigest(context.Background(), srv.ChannelID(), d); err != nil {
		t.Fatal(err)
	}
	if err := b.PostDigest(context.Background(), "4242", d); err == nil {
		t.Error("a digest posted in a channel that does not exist")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.digests != 1 || m.restErrors[http.StatusNotFound] != 1 {
		t.Errorf("%d digests and REST errors %v counted, want 1 digest and one 404", m.digests, m.restErrors)
	}
}
