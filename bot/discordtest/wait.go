package discordtest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// waitUntil waits until check (called with s.mu held) reports true, the
// timeout passes or the server closes.
func (s *Server) waitUntil(timeout time.Duration, what string, check func() bool) error {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		done := check()
		changed, closed := s.changed, s.closed
		var recent string
		if !done {
			recent = s.recentRequests(5)
		}
		s.mu.Unlock()
		if done {
			return nil
		}
		if closed {
			return fmt.Errorf("%w while waiting for %s", errClosed, what)
		}
		select {
		case <-changed:
		case <-timer.C:
			return fmt.Errorf("discordtest: timed out after %v waiting for %s%s", timeout, what, recent)
		}
	}
}

// recentRequests summarizes the last n requests for a timeout message; s.mu must be held.
func (s *Server) recentRequests(n int) string {
	if len(s.requests) == 0 {
		return " (no REST request was made)"
	}
	var b strings.Builder
	b.WriteString("; last requests:")
	start := max(0, len(s.requests)-n)
	for _, r := range s.requests[start:] {
		fmt.Fprintf(&b, " [%s %s → %d", r.Method, r.Path, r.Status)
		if r.Status >= 400 {
			fmt.Fprintf(&b, " %s", r.Response)
		}
		b.WriteString("]")
	}
	return b.String()
}

func copyRequest(r Request) Request {
	r.Header = r.Header.Clone()
	q := url.Values{}
	for k, v := range r.Query {
		q[k] = append([]string(nil), v...)
	}
	r.Query = q
	r.Body = append([]byte(nil), r.Body...)
	r.JSON = append(json.RawMessage(nil), r.JSON...)
	r.Response = append([]byte(nil), r.Response...)
	files := make([]File, len(r.Files))
	for i, f := range r.Files {
		f.Data = append([]byte(nil), f.Data...)
		files[i] = f
	}
	r.Files = files
	return r
}

// Requests returns every REST request recorded so far, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		out[i] = copyRequest(r)
	}
	return out
}

// RequestsTo returns the recorded requests on route, in arrival order.
func (s *Server) RequestsTo(route Route) []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Route == route {
			out = append(out, r)
		}
	}
	return out
}

// Messages returns every message (the users' and the bot's, deleted ones
// included) in creation order, as they are now.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.messages))
	for i, m := range s.messages {
		out[i] = m.snapshot()
	}
	return out
}

// Message returns the message with the id.
func (s *Server) Message(id string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messageByID[id]
	if !ok {
		return Message{}, false
	}
	return m.snapshot(), true
}

// Commands returns the application commands registered for guildID ("" for
// the global ones), as discordgo decodes the API's answer.
func (s *Server) Commands(guildID string) []*discordgo.ApplicationCommand {
	s.mu.Lock()
	raw, _ := json.Marshal(s.commandsJSON(guildID))
	s.mu.Unlock()
	var out []*discordgo.ApplicationCommand
	_ = json.Unmarshal(raw, &out)
	return out
}

// GatewayEvents returns everything that happened on the gateway so far, in order.
func (s *Server) GatewayEvents() []GatewayEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]GatewayEvent, len(s.gateway))
	copy(out, s.gateway)
	return out
}

// Callback returns the accepted callback of an interaction, if any.
func (s *Server) Callback(interactionID string) (Callback, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.interactions[interactionID]
	if !ok || in.callback == nil {
		return Callback{}, false
	}
	return copyCallback(*in.callback), true
}

func copyCallback(c Callback) Callback {
	c.Data = append(json.RawMessage(nil), c.Data...)
	c.Choices = append([]*discordgo.ApplicationCommandOptionChoice(nil), c.Choices...)
	return c
}

// WaitForRequest waits for a recorded request that match accepts (requests
// already recorded count) and returns the first.
func (s *Server) WaitForRequest(match func(Request) bool, timeout time.Duration) (Request, error) {
	var found Request
	err := s.waitUntil(timeout, "a matching request", func() bool {
		for _, r := range s.requests {
			if c := copyRequest(r); match(c) {
				found = c
				return true
			}
		}
		return false
	})
	return found, err
}

// WaitForMessage waits for a message that match accepts (messages already
// recorded count, in their state now) and returns the first.
func (s *Server) WaitForMessage(match func(Message) bool, timeout time.Duration) (Message, error) {
	var found Message
	err := s.waitUntil(timeout, "a matching message", func() bool {
		for _, m := range s.messages {
			if snap := m.snapshot(); match(snap) {
				found = snap
				return true
			}
		}
		return false
	})
	return found, err
}

// WaitForGateway waits for a gateway event that match accepts (events
// already recorded count) and returns the first.
func (s *Server) WaitForGateway(match func(GatewayEvent) bool, timeout time.Duration) (GatewayEvent, error) {
	var found GatewayEvent
	err := s.waitUntil(timeout, "a matching gateway event", func() bool {
		for _, e := range s.gateway {
			if match(e) {
				found = e
				return true
			}
		}
		return false
	})
	return found, err
}

// WaitForCallback waits for the interaction's accepted callback.
func (s *Server) WaitForCallback(in *discordgo.Interaction, timeout time.Duration) (Callback, error) {
	var found Callback
	err := s.waitUntil(timeout, "the callback of interaction "+in.ID, func() bool {
		if rec, ok := s.interactions[in.ID]; ok && rec.callback != nil {
			found = copyCallback(*rec.callback)
			return true
		}
		return false
	})
	return found, err
}

// WaitForReply waits for the interaction's visible reply and returns it as
// it is then: the message of a type 4 callback, or, after a deferral (type 5),
// @original once edited or the first follow-up, whichever came first. For a
// component interaction answered with type 7 (or 6 and an edit), it is the
// edited message.
func (s *Server) WaitForReply(in *discordgo.Interaction, timeout time.Duration) (Message, error) {
	var found Message
	err := s.waitUntil(timeout, "a reply to interaction "+in.ID, func() bool {
		rec, ok := s.interactions[in.ID]
		if !ok || !rec.acked {
			return false
		}
		var best *message
		consider := func(m *message) {
			if m == nil || m.deleted || m.visibleAt.IsZero() {
				return
			}
			if best == nil || m.visibleAt.Before(best.visibleAt) {
				best = m
			}
		}
		// @original: this interaction's own response, or the message a
		// component was on once the interaction has updated it.
		if m := s.messageByID[rec.originalID]; m != nil && (m.interactionID == rec.id || m.editedAt.After(rec.dispatchedAt)) {
			consider(m)
		}
		for _, id := range rec.followups {
			consider(s.messageByID[id])
		}
		if best == nil {
			return false
		}
		found = best.snapshot()
		return true
	})
	return found, err
}

// WaitForReplyTo waits for the first bot message posted in the channel of
// the user message m after m was dispatched (e.g. the answer to a
// DirectMessage or Mention).
func (s *Server) WaitForReplyTo(m *discordgo.Message, timeout time.Duration) (Message, error) {
	var found Message
	err := s.waitUntil(timeout, "a bot message after message "+m.ID+" in channel "+m.ChannelID, func() bool {
		orig, ok := s.messageByID[m.ID]
		if !ok {
			return false
		}
		for _, bm := range s.messages[orig.seq:] {
			if bm.channelID == m.ChannelID && bm.kind != KindUser && !bm.deleted {
				found = bm.snapshot()
				return true
			}
		}
		return false
	})
	return found, err
}

// WaitForCommands waits until the bot has bulk-overwritten the commands of
// guildID ("" for global commands) at least once, and returns them.
func (s *Server) WaitForCommands(guildID string, timeout time.Duration) ([]*discordgo.ApplicationCommand, error) {
	scope := "global"
	if guildID != "" {
		scope = "guild " + guildID
	}
	err := s.waitUntil(timeout, "a bulk overwrite of the "+scope+" commands", func() bool {
		return s.overwrites[guildID] > 0
	})
	if err != nil {
		return nil, err
	}
	return s.Commands(guildID), nil
}

// WaitForSession waits until a gateway session is identified and ready, and
// returns its READY event.
func (s *Server) WaitForSession(timeout time.Duration) (GatewayEvent, error) {
	return s.WaitForGateway(func(e GatewayEvent) bool { return e.Kind == GatewayReady }, timeout)
}

// WaitForHeartbeat waits until the newest gateway connection has sent a
// heartbeat. Call it before closing a discordgo session that may have just
// (re)connected, and before injecting a gateway fault into one: discordgo
// v0.29.0 starts its heartbeat goroutine when Open returns, and if the
// connection is closed before that goroutine's first send, the send fails on
// the closed socket and the goroutine closes whatever connection the session
// has by then and reconnects; after Session.Close that loop never ends.
func (s *Server) WaitForHeartbeat(timeout time.Duration) error {
	return s.waitUntil(timeout, "a heartbeat on the newest gateway connection", func() bool {
		for i := len(s.gateway) - 1; i >= 0; i-- {
			if e := s.gateway[i]; e.Kind == GatewayHeartbeat && e.Conn == s.connSeq {
				return true
			}
		}
		return false
	})
}
