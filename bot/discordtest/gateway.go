package discordtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// Gateway op codes.
const (
	opDispatch       = 0
	opHeartbeat      = 1
	opIdentify       = 2
	opPresence       = 3
	opVoiceState     = 4
	opResume         = 6
	opReconnect      = 7
	opRequestMembers = 8
	opInvalidSession = 9
	opHello          = 10
	opHeartbeatAck   = 11
)

const (
	writeTimeout = 5 * time.Second
	// closeGrace is how long a connection the server closed waits for the
	// client's close frame before it is torn down.
	closeGrace = 3 * time.Second
	// maxBuffered is how many dispatched events a session keeps for RESUME.
	maxBuffered = 1000
)

var rawNull = json.RawMessage("null")

// frame is a gateway payload.
type frame struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
	S  *int64          `json:"s"`
	T  *string         `json:"t"`
}

// conn is one gateway websocket connection. Its fields other than ws and wmu
// are guarded by Server.mu.
type conn struct {
	ws  *websocket.Conn
	wmu sync.Mutex // serializes writes
	id  int

	sess        *session
	ready       bool // READY or RESUMED sent: dispatches flow
	invalidated bool // op 9 sent: a new IDENTIFY is allowed
	closing     bool // closed or dropped by the server
	closeCode   int  // the client's close code, when it sent one
}

func (c *conn) write(f frame) error {
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	return c.ws.WriteMessage(websocket.TextMessage, b)
}

func (c *conn) sessionID() string {
	if c.sess == nil {
		return ""
	}
	return c.sess.id
}

// session is a gateway session: it outlives connections until it is invalid.
type session struct {
	id      string
	intents discordgo.Intent
	seq     int64
	events  []event // dispatched events, for replay on RESUME
	conn    *conn   // the live connection, nil while disconnected
	invalid bool    // cannot be resumed (nor receive dispatches)
}

type event struct {
	seq  int64
	typ  string
	data json.RawMessage
}

func (e event) frame() frame {
	seq, typ := e.seq, e.typ
	return frame{Op: opDispatch, D: e.data, S: &seq, T: &typ}
}

// serveGateway runs one websocket connection until it ends.
func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	ws, err := s.up.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader answered the error
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ws.Close()
		return
	}
	s.connSeq++
	c := &conn{ws: ws, id: s.connSeq}
	s.conns[c] = struct{}{}
	q := r.URL.Query()
	s.record(GatewayEvent{Kind: GatewayConnect, Conn: c.id, Query: q})
	switch {
	case q.Get("v") != "" && q.Get("v") != "9" && q.Get("v") != "10":
		s.closeConn(c, 4012, closeText(4012))
	case q.Get("encoding") != "" && q.Get("encoding") != "json":
		s.closeConn(c, 4002, "discordtest speaks only encoding=json")
	default:
		hello := fmt.Sprintf(`{"heartbeat_interval":%d,"_trace":["discordtest"]}`, s.cfg.heartbeat.Milliseconds())
		_ = c.write(frame{Op: opHello, D: json.RawMessage(hello)})
	}
	s.mu.Unlock()

	defer s.endConn(c)
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				s.mu.Lock()
				c.closeCode = ce.Code
				s.mu.Unlock()
			}
			return
		}
		s.handleFrame(c, data)
	}
}

// endConn forgets a connection whose reader has returned.
func (s *Server) endConn(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	if c.sess != nil && c.sess.conn == c {
		c.sess.conn = nil
	}
	s.record(GatewayEvent{Kind: GatewayDisconnect, Conn: c.id, SessionID: c.sessionID(), Code: c.closeCode})
	s.mu.Unlock()
	_ = c.ws.Close()
}

func (s *Server) handleFrame(c *conn, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.closing || s.closed {
		return
	}
	var f frame
	if err := json.Unmarshal(data, &f); err != nil {
		s.closeConn(c, 4002, "Error while decoding payload.")
		return
	}
	switch f.Op {
	case opHeartbeat:
		var seq int64
		_ = json.Unmarshal(f.D, &seq)
		acked := !s.withholdAcks
		s.record(GatewayEvent{Kind: GatewayHeartbeat, Conn: c.id, SessionID: c.sessionID(), Seq: seq, Acked: acked})
		if acked {
			_ = c.write(frame{Op: opHeartbeatAck, D: rawNull})
		}
	case opIdentify:
		s.identify(c, f.D)
	case opResume:
		s.resume(c, f.D)
	case opPresence, opVoiceState, opRequestMembers:
		if c.sess == nil {
			s.closeConn(c, 4003, closeText(4003))
			return
		}
		s.record(GatewayEvent{Kind: GatewayOther, Conn: c.id, SessionID: c.sessionID(), Op: f.Op})
	default:
		s.closeConn(c, 4001, closeText(4001))
	}
}

// popReject takes the next queued handshake rejection; s.mu must be held.
func (s *Server) popReject() (int, bool) {
	if len(s.rejectGateways) == 0 {
		return 0, false
	}
	code := s.rejectGateways[0]
	s.rejectGateways = s.rejectGateways[1:]
	return code, true
}

func (s *Server) tokenOK(token string) bool {
	return strings.TrimPrefix(token, "Bot ") == s.cfg.token
}

// identify answers op 2: a new session and READY, or a close.
func (s *Server) identify(c *conn, d json.RawMessage) {
	var p struct {
		Token   string            `json:"token"`
		Intents *discordgo.Intent `json:"intents"`
	}
	if err := json.Unmarshal(d, &p); err != nil {
		s.closeConn(c, 4002, "Error while decoding payload.")
		return
	}
	var intents discordgo.Intent
	if p.Intents != nil {
		intents = *p.Intents
	}
	s.record(GatewayEvent{Kind: GatewayIdentify, Conn: c.id, SessionID: c.sessionID(), Intents: intents})
	if s.stalled() {
		return
	}
	if c.sess != nil && !c.invalidated {
		s.closeConn(c, 4005, closeText(4005))
		return
	}
	if code, ok := s.popReject(); ok {
		s.closeConn(c, code, closeText(code))
		return
	}
	if !s.tokenOK(p.Token) {
		s.closeConn(c, 4004, closeText(4004))
		return
	}
	if p.Intents == nil {
		s.closeConn(c, 4013, closeText(4013))
		return
	}
	if intents&privilegedIntents&^s.cfg.privilegedIntents != 0 {
		s.closeConn(c, 4014, closeText(4014))
		return
	}
	if old := c.sess; old != nil { // identifying again after op 9
		old.invalid = true
		old.conn = nil
	}
	sess := &session{id: randomToken("")[:32], intents: intents, conn: c}
	s.sessions[sess.id] = sess
	c.sess, c.invalidated, c.ready = sess, false, true
	s.dispatchTo(sess, "READY", s.readyPayload(sess))
	s.record(GatewayEvent{Kind: GatewayReady, Conn: c.id, SessionID: sess.id})
	if intents&discordgo.IntentGuilds != 0 {
		s.dispatchTo(sess, "GUILD_CREATE", s.guildCreatePayload())
	}
}

// resume answers op 6: the missed events and RESUMED, op 9, or a close.
func (s *Server) resume(c *conn, d json.RawMessage) {
	var p struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	if err := json.Unmarshal(d, &p); err != nil {
		s.closeConn(c, 4002, "Error while decoding payload.")
		return
	}
	s.record(GatewayEvent{Kind: GatewayResume, Conn: c.id, SessionID: p.SessionID, Seq: p.Seq})
	if s.stalled() {
		return
	}
	if c.sess != nil && !c.invalidated {
		s.closeConn(c, 4005, closeText(4005))
		return
	}
	if code, ok := s.popReject(); ok {
		s.closeConn(c, code, closeText(code))
		return
	}
	if !s.tokenOK(p.Token) {
		s.closeConn(c, 4004, closeText(4004))
		return
	}
	sess := s.sessions[p.SessionID]
	if sess == nil || sess.invalid || p.Seq > sess.seq || (len(sess.events) > 0 && p.Seq < sess.events[0].seq-1) {
		s.invalidate(c, false)
		return
	}
	if old := sess.conn; old != nil && old != c {
		s.drop(old)
	}
	sess.conn = c
	c.sess, c.invalidated, c.ready = sess, false, true
	n := 0
	for _, e := range sess.events {
		if e.seq > p.Seq && e.typ != "READY" && e.typ != "RESUMED" {
			_ = c.write(e.frame())
			n++
		}
	}
	s.dispatchTo(sess, "RESUMED", json.RawMessage(`{"_trace":["discordtest"]}`))
	s.record(GatewayEvent{Kind: GatewayResumed, Conn: c.id, SessionID: sess.id, Replayed: n})
}

// invalidate sends op 9; s.mu must be held.
func (s *Server) invalidate(c *conn, resumable bool) {
	c.invalidated = true
	s.record(GatewayEvent{Kind: GatewayInvalidSession, Conn: c.id, SessionID: c.sessionID(), Resumable: resumable})
	d := json.RawMessage("false")
	if resumable {
		d = json.RawMessage("true")
	}
	_ = c.write(frame{Op: opInvalidSession, D: d})
}

// closeConn closes a connection with a close frame; the reader tears it down
// when the client answers or closeGrace passes. s.mu must be held.
func (s *Server) closeConn(c *conn, code int, text string) {
	if c.closing {
		return
	}
	c.closing = true
	if c.sess != nil && c.sess.conn == c {
		c.sess.conn = nil
	}
	s.record(GatewayEvent{Kind: GatewayClose, Conn: c.id, SessionID: c.sessionID(), Code: code})
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(time.Second))
	_ = c.ws.SetReadDeadline(time.Now().Add(closeGrace))
}

// drop closes a connection's socket without a close frame; s.mu must be held.
func (s *Server) drop(c *conn) {
	if c.closing {
		_ = c.ws.Close()
		return
	}
	c.closing = true
	if c.sess != nil && c.sess.conn == c {
		c.sess.conn = nil
	}
	s.record(GatewayEvent{Kind: GatewayDrop, Conn: c.id, SessionID: c.sessionID()})
	_ = c.ws.Close()
}

// record appends a gateway event; s.mu must be held.
func (s *Server) record(e GatewayEvent) {
	e.At = s.now()
	s.gateway = append(s.gateway, e)
	s.notify()
}

// dispatchTo gives an event the session's next sequence number, buffers it
// for RESUME and writes it to the live connection, if any. s.mu must be held.
func (s *Server) dispatchTo(sess *session, typ string, data json.RawMessage) {
	sess.seq++
	e := event{seq: sess.seq, typ: typ, data: data}
	sess.events = append(sess.events, e)
	if len(sess.events) > maxBuffered {
		sess.events = append([]event(nil), sess.events[len(sess.events)-maxBuffered:]...)
	}
	delivered := false
	if c := sess.conn; c != nil && c.ready && !c.closing {
		delivered = c.write(e.frame()) == nil
	}
	s.record(GatewayEvent{Kind: GatewayDispatch, SessionID: sess.id, Seq: e.seq, Type: typ, Delivered: delivered, Conn: connID(sess.conn)})
}

func connID(c *conn) int {
	if c == nil {
		return 0
	}
	return c.id
}

// liveSessions returns the sessions that can receive dispatches, oldest
// first; s.mu must be held.
func (s *Server) liveSessions() []*session {
	var out []*session
	for _, sess := range s.sessions {
		if !sess.invalid {
			out = append(out, sess)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// waitSession waits until some session can receive dispatches.
func (s *Server) waitSession() error {
	return s.waitUntil(s.cfg.wait, "an identified gateway session (did the bot call Open?)", func() bool {
		return len(s.liveSessions()) > 0
	})
}

// Dispatch sends a gateway event of type typ (e.g. "MESSAGE_CREATE") whose
// data is v marshaled to JSON, to every session that can receive it, waiting
// up to the WithWait duration for one. A session without a live connection
// buffers the event for RESUME. MESSAGE_CREATE honours the session's intents
// (GuildMessages, DirectMessages, MessageContent) as Discord does.
//
// Prefer the helpers (SlashCommand, DirectMessage, …), which also record
// what they dispatch.
func (s *Server) Dispatch(typ string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("discordtest: dispatch %s: %w", typ, err)
	}
	if err := s.waitSession(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := s.dispatchAll(typ, raw); n == 0 {
		return fmt.Errorf("discordtest: dispatch %s: no session can receive it", typ)
	}
	return nil
}

// dispatchAll dispatches to every live session and returns to how many;
// s.mu must be held.
func (s *Server) dispatchAll(typ string, raw json.RawMessage) int {
	n := 0
	for _, sess := range s.liveSessions() {
		data, ok := s.filterIntents(sess, typ, raw)
		if !ok {
			s.record(GatewayEvent{Kind: GatewayDispatch, SessionID: sess.id, Type: typ, Conn: connID(sess.conn)})
			continue
		}
		s.dispatchTo(sess, typ, data)
		n++
	}
	return n
}

// filterIntents applies a session's intents to an event: whether it is sent
// at all and, for messages, whether content is blanked.
func (s *Server) filterIntents(sess *session, typ string, raw json.RawMessage) (json.RawMessage, bool) {
	if typ != "MESSAGE_CREATE" && typ != "MESSAGE_UPDATE" {
		return raw, true
	}
	var m struct {
		GuildID  string                `json:"guild_id"`
		Author   struct{ ID string }   `json:"author"`
		Mentions []struct{ ID string } `json:"mentions"`
	}
	if json.Unmarshal(raw, &m) != nil {
		return raw, true
	}
	dm := m.GuildID == ""
	need := discordgo.IntentGuildMessages
	if dm {
		need = discordgo.IntentDirectMessages
	}
	if sess.intents&need == 0 {
		return nil, false
	}
	if dm || sess.intents&discordgo.IntentMessageContent != 0 || m.Author.ID == s.bot.ID {
		return raw, true
	}
	for _, u := range m.Mentions {
		if u.ID == s.bot.ID {
			return raw, true
		}
	}
	var obj map[string]any
	if json.Unmarshal(raw, &obj) != nil {
		return raw, true
	}
	obj["content"] = ""
	obj["embeds"] = []any{}
	obj["attachments"] = []any{}
	obj["components"] = []any{}
	delete(obj, "poll")
	out, err := json.Marshal(obj)
	if err != nil {
		return raw, true
	}
	return out, true
}
