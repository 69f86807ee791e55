package discordtest_test

import (
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/baobot/baobot/bot/discordtest"
	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

func TestConnectReadyAndMessages(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	var ready <-chan *discordgo.Ready
	var guilds <-chan *discordgo.GuildCreate
	var msgs <-chan *discordgo.MessageCreate
	dg := open(t, srv, func(dg *discordgo.Session) {
		ready = events[*discordgo.Ready](dg)
		guilds = events[*discordgo.GuildCreate](dg)
		msgs = events[*discordgo.MessageCreate](dg)
	})

	r := next(t, ready, "READY")
	if r.SessionID == "" || r.User == nil || r.User.ID != srv.AppID() || !r.User.Bot {
		t.Errorf("READY session %q user %+v", r.SessionID, r.User)
	}
	if r.Application == nil || r.Application.ID != srv.AppID() {
		t.Errorf("READY application %+v, want id %s", r.Application, srv.AppID())
	}
	g := next(t, guilds, "GUILD_CREATE")
	if g.ID != srv.GuildID() || len(g.Channels) != 1 || g.Channels[0].ID != srv.ChannelID() || len(g.Roles) < 2 {
		t.Errorf("GUILD_CREATE %+v", g.Guild)
	}
	if dg.State.User == nil || dg.State.User.ID != srv.AppID() {
		t.Errorf("state user %+v", dg.State.User)
	}

	// discordgo asked GET /api/v9/gateway and dialled what it answered, with v=9&encoding=json.
	reqs := srv.RequestsTo(discordtest.RouteGateway)
	if len(reqs) != 1 || reqs[0].Path != "/api/v9/gateway" || reqs[0].Header.Get("Authorization") != "Bot "+srv.Token() {
		t.Errorf("gateway requests %+v", reqs)
	}
	ev := srv.GatewayEvents()
	if ev[0].Kind != discordtest.GatewayConnect || ev[0].Query.Get("v") != "9" || ev[0].Query.Get("encoding") != "json" {
		t.Errorf("first gateway event %+v", ev[0])
	}
	id, err := srv.WaitForGateway(kindIs(discordtest.GatewayIdentify), wait)
	if err != nil || id.Intents != discordgo.IntentsAllWithoutPrivileged {
		t.Errorf("identify %+v, %v", id, err)
	}
	if _, err := srv.WaitForGateway(func(e discordtest.GatewayEvent) bool {
		return e.Kind == discordtest.GatewayHeartbeat && e.Acked
	}, wait); err != nil {
		t.Error(err)
	}

	// A DM reaches the bot, which answers in the DM channel.
	dm := srv.DirectMessage(discordtest.Msg{Content: "thủ tướng Nhật Bản là ai?"})
	got := next(t, msgs, "the DM")
	if got.Content != "thủ tướng Nhật Bản là ai?" || got.GuildID != "" || got.Author.ID != srv.User().ID || got.ChannelID != dm.ChannelID {
		t.Errorf("DM %+v", got.Message)
	}
	if got.Timestamp.IsZero() {
		t.Error("DM has no timestamp")
	}
	ch, err := dg.UserChannelCreate(srv.User().ID)
	if err != nil || ch.ID != dm.ChannelID || ch.Type != discordgo.ChannelTypeDM {
		t.Fatalf("UserChannelCreate = %+v, %v; DM channel %s", ch, err, dm.ChannelID)
	}
	if _, err := dg.ChannelMessageSend(ch.ID, "Shinzo Abe"); err != nil {
		t.Fatal(err)
	}
	reply, err := srv.WaitForReplyTo(dm, wait)
	if err != nil || reply.Content != "Shinzo Abe" || reply.Kind != discordtest.KindChannel {
		t.Errorf("reply %+v, %v", reply, err)
	}
	_, err = dg.ChannelMessageEdit(dm.ChannelID, dm.ID, "not yours")
	restError(t, err, http.StatusForbidden, 50005)

	// A mention reaches the bot with its content; a plain guild message
	// without the MessageContent intent (discordgo's default) arrives blank.
	srv.Mention(discordtest.Msg{Content: "hello"})
	got = next(t, msgs, "the mention")
	if got.Content != "<@"+srv.AppID()+"> hello" || len(got.Mentions) != 1 || got.Mentions[0].ID != srv.AppID() || got.GuildID != srv.GuildID() || got.Member == nil {
		t.Errorf("mention %+v", got.Message)
	}
	srv.GuildMessage(discordtest.Msg{Content: "secret"})
	got = next(t, msgs, "the guild message")
	if got.Content != "" {
		t.Errorf("guild message content %q reached a bot without MessageContent", got.Content)
	}
}

// TestReconnectAndResume walks one session through the ways a connection
// ends: each discordgo session costs a second to close, so they share one.
func TestReconnectAndResume(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	var msgs <-chan *discordgo.MessageCreate
	var ready <-chan *discordgo.Ready
	var resumed <-chan *discordgo.Resumed
	open(t, srv, func(dg *discordgo.Session) {
		msgs = events[*discordgo.MessageCreate](dg)
		ready = events[*discordgo.Ready](dg)
		resumed = events[*discordgo.Resumed](dg)
	})
	session := next(t, ready, "READY").SessionID
	dm := func(content string) {
		t.Helper()
		srv.DirectMessage(discordtest.Msg{Content: content})
		for {
			if got := next(t, msgs, "DM "+content); got.Content == content {
				return
			}
		}
	}
	step := func(name string, f func(t *testing.T)) {
		// Dodge discordgo's race between a fresh connection's first
		// heartbeat and the fault that ends it.
		if err := srv.WaitForHeartbeat(wait); err != nil {
			t.Fatal(err)
		}
		if !t.Run(name, f) {
			t.FailNow()
		}
	}

	// A dropped connection: discordgo reconnects, RESUMEs, gets the events
	// dispatched meanwhile, and later events flow.
	step("dropped connection", func(t *testing.T) {
		if n := srv.DropConnections(); n != 1 {
			t.Fatalf("dropped %d connections", n)
		}
		dm("while you were away")
		next(t, resumed, "RESUMED")
		ev, err := srv.WaitForGateway(kindIs(discordtest.GatewayResumed), wait)
		if err != nil || ev.Replayed != 1 || ev.SessionID != session {
			t.Errorf("resumed %+v, %v", ev, err)
		}
		if n := count(srv.GatewayEvents(), discordtest.GatewayIdentify); n != 1 {
			t.Errorf("%d IDENTIFYs, want 1 (the reconnect must resume)", n)
		}
		dm("after the drop")
	})

	step("op 7 reconnect", func(t *testing.T) {
		before := count(srv.GatewayEvents(), discordtest.GatewayResumed)
		if n := srv.Reconnect(); n != 1 {
			t.Fatalf("op 7 sent on %d connections", n)
		}
		next(t, resumed, "RESUMED")
		ev := srv.GatewayEvents()
		if count(ev, discordtest.GatewayResumed) != before+1 {
			t.Errorf("no new RESUMED: %+v", ev)
		}
		told, _ := srv.WaitForGateway(kindIs(discordtest.GatewayReconnect), wait)
		for _, e := range ev {
			if e.Kind == discordtest.GatewayDisconnect && e.Conn == told.Conn && e.Code != websocket.CloseServiceRestart {
				t.Errorf("client closed with %d, want 1012", e.Code)
			}
		}
		dm("after op 7")
	})

	// Op 9: discordgo v0.29.0 sends a fresh IDENTIFY on the same connection,
	// whether the session is resumable or not.
	for _, resumable := range []bool{false, true} {
		step(fmt.Sprintf("op 9 resumable=%v", resumable), func(t *testing.T) {
			identifies := count(srv.GatewayEvents(), discordtest.GatewayIdentify)
			connects := count(srv.GatewayEvents(), discordtest.GatewayConnect)
			if n := srv.InvalidateSession(resumable); n != 1 {
				t.Fatalf("op 9 sent on %d connections", n)
			}
			fresh := next(t, ready, "READY after op 9").SessionID
			if fresh == session {
				t.Errorf("same session %s after op 9", session)
			}
			session = fresh
			ev := srv.GatewayEvents()
			if count(ev, discordtest.GatewayIdentify) != identifies+1 || count(ev, discordtest.GatewayConnect) != connects {
				t.Errorf("want one more IDENTIFY on the same connection: %+v", ev)
			}
			dm(fmt.Sprintf("after op 9 (%v)", resumable))
		})
	}
}

func TestHeartbeatAcksWithheld(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.WithHeartbeatInterval(100*time.Millisecond))
	open(t, srv, nil)
	srv.WithholdHeartbeatAcks(true)
	// After five intervals without op 11 discordgo closes and reconnects.
	if _, err := srv.WaitForGateway(kindIs(discordtest.GatewayDisconnect), wait); err != nil {
		t.Fatal(err)
	}
	srv.WithholdHeartbeatAcks(false)
	if _, err := srv.WaitForGateway(kindIs(discordtest.GatewayResumed), wait); err != nil {
		t.Fatal(err)
	}
}

// A 4004 in answer to IDENTIFY: Open returns the close error and does not retry.
func TestClose4004FailsOpen(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	dg := newSession(t, srv, "wrong-token")
	err := openTimeout(dg)
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != 4004 {
		t.Fatalf("Open = %v, want a *websocket.CloseError 4004", err)
	}
	// discordgo's reconnect loop waits 1 s before its first retry; none comes.
	time.Sleep(1200 * time.Millisecond)
	if n := count(srv.GatewayEvents(), discordtest.GatewayConnect); n != 1 {
		t.Errorf("%d connections after a failed Open, want 1", n)
	}
}

// A 4014 on an established session: discordgo v0.29.0 does not give up. It
// reconnects and RESUMEs, backing off (1 s, 2 s, …) while it is refused, and
// IDENTIFYs again once told the session is invalid.
func TestClose4014MidSessionRetries(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	var ready <-chan *discordgo.Ready
	open(t, srv, func(dg *discordgo.Session) { ready = events[*discordgo.Ready](dg) })
	first := next(t, ready, "READY")
	if err := srv.WaitForHeartbeat(wait); err != nil {
		t.Fatal(err)
	}
	srv.RejectHandshakes(4014, 1)
	if n := srv.CloseGateway(4014); n != 1 {
		t.Fatalf("closed %d connections", n)
	}
	second := next(t, ready, "READY after the retries")
	if second.SessionID == first.SessionID {
		t.Error("the session survived a 4014")
	}
	var connects []time.Time
	closes := 0
	for _, e := range srv.GatewayEvents() {
		switch {
		case e.Kind == discordtest.GatewayConnect:
			connects = append(connects, e.At)
		case e.Kind == discordtest.GatewayClose && e.Code == 4014:
			closes++
		}
	}
	if len(connects) != 3 || closes != 2 {
		t.Fatalf("%d connections and %d 4014 closes, want 3 and 2", len(connects), closes)
	}
	if gap := connects[2].Sub(connects[1]); gap < time.Second {
		t.Errorf("retried after %v; discordgo backs off at least 1 s", gap)
	}
	ev := srv.GatewayEvents()
	if count(ev, discordtest.GatewayResume) != 2 || count(ev, discordtest.GatewayInvalidSession) != 1 {
		t.Errorf("want 2 RESUMEs and one op 9 before the new IDENTIFY: %+v", ev)
	}
}

func TestDisallowedIntentsClose4014(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.WithPrivilegedIntents(0))
	dg := newSession(t, srv, srv.Token())
	dg.Identify.Intents = discordgo.IntentsAllWithoutPrivileged | discordgo.IntentMessageContent
	err := openTimeout(dg)
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != 4014 {
		t.Fatalf("Open = %v, want close 4014", err)
	}
}

// TestCloseLeavesNoGoroutines runs alone (not parallel): after Close the
// goroutine count is back where it was, even with a gateway connection open,
// a REST request held by an injected delay and an idle keep-alive connection.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	func() {
		srv := discordtest.New(nil)
		defer srv.Close()
		ws, _, err := websocket.DefaultDialer.Dial(srv.GatewayURL()+"/?v=9&encoding=json", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close()
		var hello struct {
			Op int `json:"op"`
			D  struct {
				HeartbeatInterval int `json:"heartbeat_interval"`
			} `json:"d"`
		}
		if err := ws.ReadJSON(&hello); err != nil || hello.Op != 10 || hello.D.HeartbeatInterval != 41250 {
			t.Fatalf("HELLO %+v, %v", hello, err)
		}
		if err := ws.WriteJSON(map[string]any{"op": 2, "d": map[string]any{"token": srv.Token(), "intents": 0}}); err != nil {
			t.Fatal(err)
		}
		var ready struct {
			Op int    `json:"op"`
			T  string `json:"t"`
			S  int64  `json:"s"`
		}
		if err := ws.ReadJSON(&ready); err != nil || ready.T != "READY" || ready.S != 1 {
			t.Fatalf("READY %+v, %v", ready, err)
		}
		dg := newSession(t, srv, srv.Token())
		if _, err := dg.ChannelMessageSend(srv.ChannelID(), "hello"); err != nil {
			t.Fatal(err)
		}
		srv.DelayNext(discordtest.RouteChannel, time.Minute) // cancelled by Close
		done := make(chan struct{})
		go func() { defer close(done); _, _ = dg.Channel(srv.ChannelID()) }()
		time.Sleep(200 * time.Millisecond) // let the request reach its delay
		srv.Close()
		<-done
	}()
	deadline := time.Now().Add(wait)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		buf = buf[:runtime.Stack(buf, true)]
		t.Errorf("%d goroutines after Close, %d before:\n%s", n, before, buf)
	}
	srv := discordtest.New(nil)
	srv.Close()
	srv.Close() // idempotent
	if _, err := srv.WaitForSession(time.Second); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("wait after Close = %v", err)
	}
}
