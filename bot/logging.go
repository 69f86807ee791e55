package bot

import (
	"context"
	"log/slog"

	"github.com/bwmarrin/discordgo"
)

// Logging. The bot logs through log/slog (Config.Logger), never through
// discordgo. Every line logged while handling an interaction carries its
// id ("interaction"), and every line of a message's handling the message's
// ("message"): handlers log through request.log, and the REST calls they
// make carry that logger in their context, so that the transport's lines
// (retries, server errors) name the interaction too.

// logKey is the context key of the logger of the work a REST call is for.
type logKey struct{}

// withLogger returns ctx carrying log.
func withLogger(ctx context.Context, log *slog.Logger) context.Context {
	return context.WithValue(ctx, logKey{}, log)
}

// loggerFrom is the logger ctx carries, or fallback.
func loggerFrom(ctx context.Context, fallback *slog.Logger) *slog.Logger {
	if log, ok := ctx.Value(logKey{}).(*slog.Logger); ok && log != nil {
		return log
	}
	return fallback
}

// boundedFor is bounded, for REST calls made on behalf of work logging to
// log: the transport logs about them there.
func boundedFor(log *slog.Logger) (opt discordgo.RequestOption, cancel context.CancelFunc) {
	ctx, cancel := context.WithTimeout(withLogger(context.Background(), log), restTimeout)
	return discordgo.WithContext(ctx), cancel
}

// bounded is the request option of the REST calls answering r: bounded in
// time, and logged with r's interaction id.
func (r *request) bounded() (opt discordgo.RequestOption, cancel context.CancelFunc) {
	return boundedFor(r.log)
}
