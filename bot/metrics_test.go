package bot

import (
	"sync"
	"time"
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
