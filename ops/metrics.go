// Package ops is what an operator of `baobot serve` looks at: GET /healthz,
// which says whether the bot can answer (the gateway connected, the
// database open), and GET /metrics, the bot's counters in Prometheus's text
// format, on one small HTTP server (config metrics.addr).
//
// Metrics implements the bot's measurement hooks (bot.Metrics) with the
// Prometheus client library, on a registry of its own rather than the
// global one, so that several in one process (tests) never collide. The bot
// package knows nothing of HTTP or Prometheus: it calls the hooks.
package ops

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are baobot's Prometheus metrics. Its methods are safe for
// concurrent use; a nil *Metrics records nothing.
type Metrics struct {
	registry   *prometheus.Registry
	questions  *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	reconnects prometheus.Counter
	restErrors *prometheus.CounterVec
	digests    prometheus.Counter
	connected  prometheus.GaugeFunc
}

// LatencyBuckets are the upper bounds, in seconds, of the answer latency
// histogram: from a fast answer sent at once to one deferred past
// Discord's three seconds.
var LatencyBuckets = []float64{0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2.5, 3, 5, 10, 30}

// NewMetrics returns baobot's metrics on a new registry, with Go runtime
// and process metrics beside them. connected, when not nil, is read at
// each scrape for baobot_gateway_connected.
func NewMetrics(connected func() bool) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		questions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "baobot_questions_answered_total",
			Help: "Questions answered, by where they came from (ask, search, more, message) and whether the answer was confident.",
		}, []string{"via", "confident"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "baobot_answer_duration_seconds",
			Help:    "Time from receiving a question to its reply being sent, by where it came from.",
			Buckets: LatencyBuckets,
		}, []string{"via"}),
		reconnects: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "baobot_gateway_reconnects_total",
			Help: "Times the Discord gateway connection was lost and opened again.",
		}),
		restErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "baobot_rest_errors_total",
			Help: `Discord REST requests answered with an HTTP error (4xx, 5xx), by status; "network" when no answer came.`,
		}, []string{"status"}),
		digests: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "baobot_digests_posted_total",
			Help: "Scheduled or requested digests posted in a channel.",
		}),
	}
	m.registry.MustRegister(m.questions, m.latency, m.reconnects, m.restErrors, m.digests,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if connected != nil {
		m.connected = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "baobot_gateway_connected",
			Help: "1 while the Discord gateway connection is up, else 0.",
		}, func() float64 {
			if connected() {
				return 1
			}
			return 0
		})
		m.registry.MustRegister(m.connected)
	}
	return m
}

// Registry is the registry the metrics are on, for a handler or a test.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// QuestionAnswered counts a question answered, via a slash command ("ask",
// "search"), a button ("more") or a message ("message"), and the time from
// its arrival to its reply.
func (m *Metrics) QuestionAnswered(via string, confident bool, took time.Duration) {
	if m == nil {
		return
	}
	m.questions.WithLabelValues(via, strconv.FormatBool(confident)).Inc()
	m.latency.WithLabelValues(via).Observe(took.Seconds())
}

// GatewayReconnected counts a gateway connection opened again after it was lost.
func (m *Metrics) GatewayReconnected() {
	if m == nil {
		return
	}
	m.reconnects.Inc()
}

// RESTError counts a Discord REST request that failed: status is the HTTP
// status Discord answered, 0 when none came (a network error, a timeout).
func (m *Metrics) RESTError(status int) {
	if m == nil {
		return
	}
	label := "network"
	if status > 0 {
		label = strconv.Itoa(status)
	}
	m.restErrors.WithLabelValues(label).Inc()
}

// DigestPosted counts a digest posted in a channel.
func (m *Metrics) DigestPosted() {
	if m == nil {
		return
	}
	m.digests.Inc()
}
