// Package discordtest is a local Discord for tests: an HTTP server on
// 127.0.0.1 with the REST routes a bot uses and a gateway websocket, which the
// real discordgo client connects to.
//
// A test starts a Server, points a discordgo.Session at it and drives it:
//
//	srv := discordtest.New(t)
//	dg, _ := discordgo.New("Bot " + srv.Token())
//	dg.Client = &http.Client{Transport: srv.Transport()} // or the bot's own rewriting transport
//	dg.AddHandler(onInteraction)
//	if err := dg.Open(); err != nil { t.Fatal(err) } // Open has no timeout of its own
//	t.Cleanup(func() { // registered after New: runs before the server closes
//		_ = srv.WaitForHeartbeat(2 * time.Second) // see below
//		dg.Close()
//	})
//
//	in := srv.SlashCommand(discordtest.Slash{Name: "ask",
//		Options: []*discordgo.ApplicationCommandInteractionDataOption{discordtest.StringOption("question", "ai là thủ tướng?")},
//		From:    discordtest.From{Locale: discordgo.Vietnamese}})
//	reply, err := srv.WaitForReply(in, 2*time.Second)
//
// discordgo's Open asks GET /api/v9/gateway, appends "/?v=9&encoding=json" to
// the URL it gets ("ws://127.0.0.1:PORT/gateway") and dials it with its
// Dialer; every REST call goes through Session.Client. So a RoundTripper that
// rewrites scheme and host (Transport) redirects everything without touching
// discordgo's Endpoint variables, and each test can have its own server.
//
// The server keeps one application and its bot user, one guild with a text
// channel and roles, and a default user. Files a user attaches to a slash
// command are stored with AddAttachment and named with AttachmentOption; the
// server serves them, without a token, as Discord's CDN does. It records every REST request
// (Requests), every message (Messages), interaction callbacks (Callback) and
// gateway events (GatewayEvents); the WaitFor methods wait for them with a
// timeout. Payloads are checked against Discord's limits (validate.go) and a
// broken one is answered 400 {"code":50035,"message":"Invalid Form Body",
// "errors":{…}} as Discord does. Faults can be injected: rate limits, server
// errors and delays on REST routes; dropped connections, op 7, op 9, withheld
// heartbeat ACKs, stalled handshakes and close codes on the gateway (faults.go).
//
// What discordgo v0.29.0 does, as the tests of this package show:
//
//   - On a read error or a close frame (any code, 4004 and 4014 included) on an
//     established connection it sleeps 1 s in Close, then reconnects and sends
//     RESUME, retrying with a back-off of 1 s doubling up to 600 s, forever:
//     a persistent 4004 or 4014 makes it loop (slowly), it never gives up.
//   - A close during Open (e.g. 4004 in answer to IDENTIFY) makes Open return
//     the *websocket.CloseError; Open does not retry by itself.
//   - On op 9 it sends IDENTIFY on the same connection whether d is true or
//     false; it never resumes after op 9.
//   - On op 7 it closes (code 1012), sleeps 1 s, reconnects and RESUMEs.
//   - Session.Close sleeps 1 s. A test pays that second for every session it
//     closes, so tests that can share a session should.
//   - Its heartbeat goroutine starts when Open returns. If the connection is
//     closed (by Session.Close or by an injected fault) before that goroutine's
//     first send, the send fails and the goroutine reconnects on its own;
//     after Session.Close that loop never ends. Call WaitForHeartbeat before
//     closing a session or injecting a gateway fault into a fresh connection.
//
// The server follows Discord's documented protocol; it is not Discord. It
// does not compress payloads, has no per-route rate limits unless injected,
// does not enforce the client's heartbeat interval, and models one guild.
package discordtest
