package bot

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/baobot/baobot/bot/discordtest"
)

// The fault suite: gateway and REST faults injected through discordtest into
// the real discordgo session of a running bot. After each fault the next
// question is answered, and at the end every question asked during the
// suite has had exactly one reply: none lost, none sent twice.

// faultHeartbeat is the heartbeat interval of the suite's local Discord:
// short, so that discordgo gives up on a connection whose heartbeats are not
// acknowledged (after five intervals) within a second or two.
const faultHeartbeat = 150 * time.Millisecond

// faultEnv is the local Discord and bot the fault subtests share, and every
// question they asked, for the exactly-once check at the end.
type faultEnv struct {
	srv     *discordtest.Server
	bot     *Bot
	logs    *logs
	metrics *recordedMetrics

	mu       sync.Mutex
	asked    []*discordgo.Interaction // slash commands, answered by an interaction response
	messaged []*discordgo.Message     // direct messages, answered by a channel message
}

// question is asked in every fault subtest; its answer names Blinken.
const question = "Ngoại trưởng Mỹ là ai?"

// ask dispatches /ask from a new user and remembers it; it does not wait.
func (e *faultEnv) ask(t *testing.T) *discordgo.Interaction {
	t.Helper()
	in := e.srv.SlashCommand(discordtest.Slash{Name: "ask", From: discordtest.From{User: newUser(t, e.srv)},
		Options: []*discordgo.ApplicationCommandInteractionDataOption{discordtest.StringOption("question", question)}})
	e.mu.Lock()
	e.asked = append(e.asked, in)
	e.mu.Unlock()
	return in
}

// dm sends the question as a direct message from a new user and remembers it.
func (e *faultEnv) dm(t *testing.T) *discordgo.Message {
	t.Helper()
	m := e.srv.DirectMessage(discordtest.Msg{Content: question, From: discordtest.From{User: newUser(t, e.srv)}})
	e.mu.Lock()
	e.messaged = append(e.messaged, m)
	e.mu.Unlock()
	return m
}

// answered waits for the reply to in and checks that it is the answer.
func (e *faultEnv) answered(t *testing.T, in *discordgo.Interaction) {
	t.Helper()
	reply, err := e.srv.WaitForReply(in, wait)
	if err != nil {
		t.Fatalf("/ask %s: %v", in.ID, err)
	}
	checkReply(t, reply)
	if !strings.Contains(text(reply), "Antony Blinken") {
		t.Errorf("/ask %s: reply without the answer:\n%s", in.ID, text(reply))
	}
}

// answeredDM waits for the reply to a direct message and checks it.
func (e *faultEnv) answeredDM(t *testing.T, m *discordgo.Message) {
	t.Helper()
	reply, err := e.srv.WaitForReplyTo(m, wait)
	if err != nil {
		t.Fatalf("direct message %s: %v", m.ID, err)
	}
	checkReply(t, reply)
	if !strings.Contains(text(reply), "Antony Blinken") {
		t.Errorf("direct message %s: reply without the answer:\n%s", m.ID, text(reply))
	}
}

// count returns how many gateway events of kind the server has recorded.
func (e *faultEnv) count(kind discordtest.GatewayEventKind) int { return countEvents(e.srv, kind) }

// waitCount waits until the server has recorded at least n events of kind.
func (e *faultEnv) waitCount(t *testing.T, kind discordtest.GatewayEventKind, n int) {
	t.Helper()
	waitFor(t, "gateway event "+string(kind), func() bool { return e.count(kind) >= n })
}

// settled waits until the bot's newest connection is established and has
// sent a heartbeat: the point at which discordtest may inject the next
// gateway fault (see discordtest.WaitForHeartbeat).
func (e *faultEnv) settled(t *testing.T) {
	t.Helper()
	if err := e.srv.WaitForHeartbeat(wait); err != nil {
		t.Fatal(err)
	}
}

// checkExactlyOnce asserts that every question of the suite had one reply:
// one accepted interaction callback and one response message per slash
// command, with no follow-up; one channel message replying to each direct
// message. It runs after the bot has shut down, so a late duplicate counts.
func (e *faultEnv) checkExactlyOnce(t *testing.T) {
	t.Helper()
	msgs := e.srv.Messages()
	for _, in := range e.asked {
		accepted := 0
		for _, r := range callbacks(e.srv, in) {
			if r.Status < 300 {
				accepted++
			}
		}
		responses, followups := 0, 0
		for _, m := range msgs {
			if m.InteractionID != in.ID {
				continue
			}
			switch m.Kind {
			case discordtest.KindResponse:
				responses++
				if m.Deferred {
					t.Errorf("interaction %s: the deferred reply was never filled in", in.ID)
				}
			case discordtest.KindFollowup:
				followups++
			}
		}
		if accepted != 1 || responses != 1 || followups != 0 {
			t.Errorf("interaction %s: %d accepted callbacks (statuses %v), %d responses, %d follow-ups; want exactly one reply",
				in.ID, accepted, statuses(callbacks(e.srv, in)), responses, followups)
		}
	}
	replies := map[string]int{}
	for _, r := range e.srv.RequestsTo(discordtest.RouteMessageCreate) {
		var body struct {
			Reference *struct {
				MessageID string `json:"message_id"`
			} `json:"message_reference"`
		}
		if r.Status < 300 && json.Unmarshal(r.JSON, &body) == nil && body.Reference != nil {
			replies[body.Reference.MessageID]++
		}
	}
	for _, m := range e.messaged {
		if n := replies[m.ID]; n != 1 {
			t.Errorf("direct message %s: %d replies, want 1", m.ID, n)
		}
	}
	if len(e.asked) == 0 {
		t.Error("the suite asked nothing")
	}
}

// checkMetrics asserts that the Metrics hooks saw what the suite did: a
// reconnection per connection lost (drop, op 7, withheld ACKs, refused
// resume, stalled resume), the REST errors injected, and every question answered.
func (e *faultEnv) checkMetrics(t *testing.T) {
	t.Helper()
	m := e.metrics
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.reconnects != 5 {
		t.Errorf("%d reconnections counted, want 5", m.reconnects)
	}
	for _, status := range []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusTooManyRequests} {
		if m.restErrors[status] == 0 {
			t.Errorf("no REST error %d counted: %v", status, m.restErrors)
		}
	}
	asks := 0
	for _, in := range e.asked {
		if in.ApplicationCommandData().Name == "ask" {
			asks++
		}
	}
	if m.answers[viaAsk] != asks || m.answers[viaMessage] != len(e.messaged) || m.confident != asks+len(e.messaged) {
		t.Errorf("answers counted %v (%d confident), want %d asks and %d messages, all confident",
			m.answers, m.confident, asks, len(e.messaged))
	}
}

// TestFaults runs the fault subtests in order on one local Discord and one
// bot (each bot costs a second to shut down), then checks that no reply was
// lost or sent twice. The last subtest ends the bot's connection for good.
func TestFaults(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.WithToken(testToken), discordtest.WithHeartbeatInterval(faultHeartbeat))
	e := &faultEnv{srv: srv, metrics: newRecordedMetrics()}
	// Registered before startBot, so it runs after the bot has shut down.
	t.Cleanup(func() {
		e.checkExactlyOnce(t)
		e.checkMetrics(t)
		if strings.Contains(e.logs.String(), testToken) {
			t.Error("the token appears in the logs")
		}
	})
	// Replies are deferred after 400 ms rather than 1.5 s: the deferred
	// path is exercised sooner, and both paths must reply exactly once.
	e.bot, e.logs = startBot(t, srv, newDB(t), func(c *Config) { c.RateLimit, c.Metrics = 0, e.metrics },
		func(b *Bot) { b.ackAfter, b.handshake = 400*time.Millisecond, time.Second })
	if _, err := srv.WaitForCommands("", wait); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		run  func(*testing.T, *faultEnv)
	}{
		{"dropped websocket: resumed, questions in flight and missed answered", testFaultDrop},
		{"op 7 reconnect: resumed", testFaultReconnect},
		{"op 9 invalid session, resumable: identified again", func(t *testing.T, e *faultEnv) { testFaultInvalidSession(t, e, true) }},
		{"op 9 invalid session, not resumable: identified again", func(t *testing.T, e *faultEnv) { testFaultInvalidSession(t, e, false) }},
		{"heartbeat ACKs withheld: reconnected", testFaultHeartbeatAcks},
		{"reconnection refused once: retried", testFaultReconnectRefused},
		{"resume left unanswered: abandoned, retried", testFaultStalledHandshake},
		{"REST 500s: retried, answered once", testFaultServerErrors},
		{"global 429: waited out, answered once", testFaultGlobalRateLimit},
		{"slow interaction callbacks", testFaultSlowCallback},
		{"4014 after op 9: stops for good", testFaultDisallowedIntents},
	} {
		if !t.Run(tc.name, func(t *testing.T) { tc.run(t, e) }) {
			break // the next fault needs a working connection
		}
	}
}

func testFaultDrop(t *testing.T, e *faultEnv) {
	e.settled(t)
	resumed, identified := e.count(discordtest.GatewayResumed), e.count(discordtest.GatewayIdentify)
	// A reply in flight when the connection drops: REST does not need the
	// gateway, so it is delivered.
	e.srv.DelayNext(discordtest.RouteInteractionCallback, 300*time.Millisecond)
	inFlight := e.ask(t)
	waitFor(t, "the question to be in flight", func() bool { return e.bot.busy.Load() > 0 })
	if e.srv.DropConnections() == 0 {
		t.Fatal("no connection to drop")
	}
	// Dispatched while the bot is away: replayed when it resumes.
	missed, missedDM := e.ask(t), e.dm(t)
	e.answered(t, inFlight)
	e.answered(t, missed)
	e.answeredDM(t, missedDM)
	if n := e.count(discordtest.GatewayResumed); n != resumed+1 {
		t.Errorf("%d resumes, want %d", n, resumed+1)
	}
	if n := e.count(discordtest.GatewayIdentify); n != identified {
		t.Errorf("%d identifies, want %d: the session was not resumed", n, identified)
	}
	e.answered(t, e.ask(t))
}

func testFaultReconnect(t *testing.T, e *faultEnv) {
	e.settled(t)
	resumed, identified := e.count(discordtest.GatewayResumed), e.count(discordtest.GatewayIdentify)
	if e.srv.Reconnect() == 0 {
		t.Fatal("no connection told to reconnect")
	}
	during := e.ask(t) // most likely buffered while discordgo closes (1 s) and resumes
	e.answered(t, during)
	e.waitCount(t, discordtest.GatewayResumed, resumed+1)
	if n := e.count(discordtest.GatewayIdentify); n != identified {
		t.Errorf("%d identifies, want %d: op 7 should resume", n, identified)
	}
	e.settled(t)
	e.answered(t, e.ask(t))
}

// testFaultInvalidSession: discordgo answers op 9, whatever its d, with a new
// IDENTIFY on the same connection; the bot keeps answering on the new session.
func testFaultInvalidSession(t *testing.T, e *faultEnv, resumable bool) {
	e.settled(t)
	ready := e.count(discordtest.GatewayReady)
	if e.srv.InvalidateSession(resumable) == 0 {
		t.Fatal("no session to invalidate")
	}
	e.waitCount(t, discordtest.GatewayReady, ready+1)
	e.answered(t, e.ask(t))
	e.answeredDM(t, e.dm(t))
	// The identity the bot answers as is the new READY's.
	if user, _ := e.bot.self(); user != e.srv.BotUser().ID {
		t.Errorf("bot user %q after op 9, want %q", user, e.srv.BotUser().ID)
	}
}

// testFaultHeartbeatAcks: a connection whose heartbeats go unanswered is
// given up by discordgo after five intervals; the bot reconnects and resumes.
func testFaultHeartbeatAcks(t *testing.T, e *faultEnv) {
	e.settled(t)
	resumed, disconnects := e.count(discordtest.GatewayResumed), e.count(discordtest.GatewayDisconnect)
	e.srv.WithholdHeartbeatAcks(true)
	defer e.srv.WithholdHeartbeatAcks(false)
	// The connection still delivers events meanwhile.
	e.answered(t, e.ask(t))
	e.waitCount(t, discordtest.GatewayDisconnect, disconnects+1)
	// The new connection must get its ACKs: discordgo gives it five
	// intervals from its HELLO.
	e.srv.WithholdHeartbeatAcks(false)
	e.waitCount(t, discordtest.GatewayResumed, resumed+1)
	e.settled(t)
	e.answered(t, e.ask(t))
	if !strings.Contains(e.logs.String(), "gateway connection lost; reconnecting") {
		t.Error("the reconnection is not logged")
	}
}

// testFaultReconnectRefused: the first attempt to resume is closed with a
// code that is not fatal (4000, unknown error); the bot backs off and tries again.
func testFaultReconnectRefused(t *testing.T, e *faultEnv) {
	e.settled(t)
	resumed := e.count(discordtest.GatewayResumed)
	e.srv.RejectHandshakes(4000, 1)
	if e.srv.DropConnections() == 0 {
		t.Fatal("no connection to drop")
	}
	missed := e.ask(t)
	e.answered(t, missed)
	e.waitCount(t, discordtest.GatewayResumed, resumed+1)
	if !strings.Contains(e.logs.String(), "reconnecting to the gateway failed") {
		t.Error("the failed attempt is not logged")
	}
	e.settled(t)
	e.answered(t, e.ask(t))
}

// testFaultStalledHandshake: the gateway accepts the connection and HELLO
// goes out, but the RESUME is never answered. discordgo's Open would wait
// for ever; the bot gives the handshake up after handshakeTimeout, closes
// the connection and tries again.
func testFaultStalledHandshake(t *testing.T, e *faultEnv) {
	e.settled(t)
	resumed, resumes := e.count(discordtest.GatewayResumed), e.count(discordtest.GatewayResume)
	e.srv.StallHandshakes(1)
	if e.srv.DropConnections() == 0 {
		t.Fatal("no connection to drop")
	}
	// /healthz says so meanwhile.
	waitFor(t, "Connected to turn false", func() bool { return !e.bot.Connected() })
	missed := e.ask(t)
	e.answered(t, missed)
	e.waitCount(t, discordtest.GatewayResumed, resumed+1)
	waitFor(t, "Connected to turn true", e.bot.Connected)
	if n := e.count(discordtest.GatewayResume); n != resumes+2 {
		t.Errorf("%d resumes sent, want 2: the stalled one and the next", n-resumes)
	}
	if !strings.Contains(e.logs.String(), "no answer to the gateway handshake") {
		t.Error("the abandoned handshake is not logged")
	}
	e.settled(t)
	e.answered(t, e.ask(t))
}

// testFaultServerErrors: 500s on every REST route a reply takes are retried
// by the bot's transport, and the reply is made once.
func testFaultServerErrors(t *testing.T, e *faultEnv) {
	for _, route := range []discordtest.Route{discordtest.RouteInteractionCallback, discordtest.RouteMessageCreate} {
		e.srv.FailNext(route, http.StatusInternalServerError)
	}
	in, m := e.ask(t), e.dm(t)
	e.answered(t, in)
	e.answeredDM(t, m)
	if cbs := callbacks(e.srv, in); len(cbs) < 2 || cbs[0].Status != http.StatusInternalServerError && cbs[1].Status != http.StatusInternalServerError {
		t.Errorf("callbacks %v: the 500 was not injected where expected", statuses(cbs))
	}

	// A deferred reply whose edit meets a 502: the edit is retried.
	admin := discordtest.From{User: newUser(t, e.srv), Permissions: discordgo.PermissionManageGuild}
	file := e.srv.AddAttachment("faults.md", "text/markdown", []byte("---\nid: fault-1\ntitle: Sứa\n---\nSứa không có não nhưng vẫn bơi được.\n"))
	e.srv.DelayNext(discordtest.RouteAttachment, e.bot.ackAfter+300*time.Millisecond)
	e.srv.FailNext(discordtest.RouteWebhookMessageEdit, http.StatusBadGateway)
	add := e.srv.SlashCommand(discordtest.Slash{Name: "add", From: admin,
		Options: []*discordgo.ApplicationCommandInteractionDataOption{discordtest.AttachmentOption("file", file)}})
	e.mu.Lock()
	e.asked = append(e.asked, add)
	e.mu.Unlock()
	reply, err := e.srv.WaitForReply(add, wait)
	if err != nil || !strings.Contains(reply.Content, "faults.md") {
		t.Errorf("/add after a 502 on the edit: %q, %v", reply.Content, err)
	}
	if n := len(e.srv.RequestsTo(discordtest.RouteWebhookMessageEdit)); n < 2 {
		t.Errorf("%d edits, want the 502 and its retry", n)
	}
	e.answered(t, e.ask(t))
}

// testFaultGlobalRateLimit: a 429 with X-RateLimit-Global makes discordgo
// wait before every request; the reply it interrupted and one asked during
// the wait are both made, once.
func testFaultGlobalRateLimit(t *testing.T, e *faultEnv) {
	e.srv.RateLimitNext(discordtest.RouteInteractionCallback, 700*time.Millisecond, true)
	first := e.ask(t)
	if _, err := e.srv.WaitForRequest(func(r discordtest.Request) bool {
		return r.Status == http.StatusTooManyRequests && strings.Contains(r.Path, "/"+first.ID+"/")
	}, wait); err != nil {
		t.Fatal(err)
	}
	during := e.ask(t)
	e.answered(t, first)
	e.answered(t, during)
	cbs := callbacks(e.srv, first)
	if len(cbs) != 2 || cbs[0].Status != http.StatusTooManyRequests || cbs[1].Status != http.StatusNoContent {
		t.Errorf("callbacks %v, want a 429 then a 204", statuses(cbs))
	}
	if h := cbs[0]; len(h.Response) == 0 || !strings.Contains(string(h.Response), `"global":true`) {
		t.Errorf("the 429 was not global: %s", h.Response)
	}
	e.answered(t, e.ask(t))
}

// testFaultSlowCallback: Discord takes a second to answer an interaction callback.
// The replies still arrive in time (the callback's arrival counts), once,
// and a slow callback holds up no other question.
func testFaultSlowCallback(t *testing.T, e *faultEnv) {
	e.srv.InjectREST(discordtest.RESTFault{Route: discordtest.RouteInteractionCallback, Delay: time.Second, Times: 1})
	slow := e.ask(t)
	waitFor(t, "the slow question to be in flight", func() bool { return e.bot.busy.Load() > 0 })
	quick := e.ask(t)
	e.answered(t, quick)
	e.answered(t, slow)
	for _, in := range []*discordgo.Interaction{slow, quick} {
		if cb, ok := e.srv.Callback(in.ID); !ok || cb.Late {
			t.Errorf("interaction %s: callback %+v, want one in time", in.ID, cb)
		}
	}
}

// testFaultDisallowedIntents: Discord invalidates the session and refuses
// the IDENTIFY that follows, and every handshake after it, with 4014: the
// bot stops with a message saying what to fix, after a bounded number of
// attempts, instead of reconnecting forever.
func testFaultDisallowedIntents(t *testing.T, e *faultEnv) {
	e.settled(t)
	handshakes := e.count(discordtest.GatewayIdentify) + e.count(discordtest.GatewayResume)
	e.srv.RejectHandshakes(4014, 100)
	if e.srv.InvalidateSession(false) == 0 {
		t.Fatal("no session to invalidate")
	}
	select {
	case err := <-e.bot.Fatal():
		if e.bot.Connected() {
			t.Error("Connected after a fatal close")
		}
		for _, want := range []string{"4014", "disallowed intents"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("fatal error %q lacks %q", err, want)
			}
		}
	case <-time.After(wait):
		t.Fatal("no fatal error after 4014")
	}
	select {
	case <-e.bot.supervised:
	case <-time.After(wait):
		t.Fatal("the bot is still trying to reconnect")
	}
	if n := e.count(discordtest.GatewayIdentify) + e.count(discordtest.GatewayResume) - handshakes; n > 2 {
		t.Errorf("%d handshakes after 4014, want at most 2 (the IDENTIFY after op 9, one RESUME)", n)
	}
	e.bot.closeGateway() // as Run does after a fatal error
}

// TestStartStalled: a gateway that never answers the first IDENTIFY makes
// Start fail after the handshake timeout, saying so, instead of hanging.
func TestStartStalled(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.StallHandshakes(1)
	b, err := New(Config{Token: testToken, APIURL: srv.URL()}, newDB(t))
	if err != nil {
		t.Fatal(err)
	}
	b.handshake = 300 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	err = b.Start(ctx)
	if err == nil || !strings.Contains(err.Error(), "no answer to the gateway handshake") {
		t.Fatalf("Start: %v", err)
	}
	if n := countEvents(srv, discordtest.GatewayIdentify); n != 1 {
		t.Errorf("%d identifies, want 1", n)
	}
}
