package bot

import "time"

// Metrics receives what the bot measures, for an operator: package ops
// implements it with Prometheus, and serve passes it as Config.Metrics. The
// bot only calls these hooks; nil Config.Metrics records nothing. The
// methods must be safe for concurrent use and return quickly.
type Metrics interface {
	// QuestionAnswered is called once a question's reply is sent: via is
	// "ask" or "search" (slash commands), "more" (the More results
	// button) or "message" (a direct message or a mention); took runs from
	// the question's arrival to its reply.
	QuestionAnswered(via string, confident bool, took time.Duration)
	// GatewayReconnected is called when the gateway connection, lost, is
	// open again.
	GatewayReconnected()
	// RESTError is called for every Discord REST request answered with an
	// HTTP error (status 4xx or 5xx, each retry counting), and with status
	// 0 when no answer came.
	RESTError(status int)
	// DigestPosted is called when a digest has been posted in a channel.
	DigestPosted()
}

// Where questions come from, for Metrics.QuestionAnswered.
const (
	viaAsk     = "ask"
	viaSearch  = "search"
	viaMore    = "more"
	viaMessage = "message"
)

// noMetrics is the Metrics of a bot configured without any.
type noMetrics struct{}

func (noMetrics) QuestionAnswered(string, bool, time.Duration) {}
func (noMetrics) GatewayReconnected()                          {}
func (noMetrics) RESTError(int)                                {}
func (noMetrics) DigestPosted()                                {}

// Connected reports whether the gateway connection is up: opened and not
// lost since. It is what a health check asks.
func (b *Bot) Connected() bool { return b.connected.Load() }
