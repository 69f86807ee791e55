package discordtest

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"
)

// RESTFault is a fault injected into the answers of REST routes. It applies
// to the next Times requests that match Route, in the order faults were injected.
type RESTFault struct {
	// Route is the route the fault applies to; "" matches every route.
	Route Route
	// Status is answered instead of the route's reply, with Discord's error
	// body for it (429: a rate limit, see RetryAfter). 0 answers normally
	// (after Delay).
	Status int
	// RetryAfter is a 429's retry_after (and X-RateLimit-Reset-After).
	RetryAfter time.Duration
	// Global makes a 429 a global rate limit (X-RateLimit-Global: true).
	Global bool
	// Delay is waited before answering, e.g. a slow interaction callback.
	// The request's arrival time (which decides an interaction's lateness)
	// is taken before the delay.
	Delay time.Duration
	// Times is how many matching requests the fault applies to; 0 means 1.
	Times int
}

func (f RESTFault) String() string {
	s := ""
	if f.Delay > 0 {
		s = fmt.Sprintf("delay %v", f.Delay)
	}
	if f.Status != 0 {
		if s != "" {
			s += ", "
		}
		s += "status " + strconv.Itoa(f.Status)
		if f.Status == http.StatusTooManyRequests {
			s += fmt.Sprintf(" retry_after %v", f.RetryAfter)
			if f.Global {
				s += " global"
			}
		}
	}
	return s
}

// InjectREST queues a REST fault.
func (s *Server) InjectREST(f RESTFault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.restFaults = append(s.restFaults, &f)
}

// RateLimitNext makes the next request on route answer 429 with retry_after
// (global: the X-RateLimit-Global variant). discordgo sleeps retry_after and
// retries.
func (s *Server) RateLimitNext(route Route, retryAfter time.Duration, global bool) {
	s.InjectREST(RESTFault{Route: route, Status: http.StatusTooManyRequests, RetryAfter: retryAfter, Global: global})
}

// FailNext makes the next request on route answer status (e.g. 500) with
// Discord's error body for it. discordgo retries a 502 up to MaxRestRetries
// times and returns a *discordgo.RESTError for the others.
func (s *Server) FailNext(route Route, status int) {
	s.InjectREST(RESTFault{Route: route, Status: status})
}

// DelayNext makes the next request on route wait d before it is answered.
func (s *Server) DelayNext(route Route, d time.Duration) {
	s.InjectREST(RESTFault{Route: route, Delay: d})
}

// ClearFaults removes every queued REST and gateway fault and resumes heartbeat ACKs.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.restFaults = nil
	s.rejectGateways = nil
	s.stallGateways = 0
	s.withholdAcks = false
}

// takeFault pops the first fault matching route; s.mu must be held.
func (s *Server) takeFault(route Route) *RESTFault {
	for i, f := range s.restFaults {
		if f.Route != "" && f.Route != route {
			continue
		}
		f.Times--
		if f.Times <= 0 {
			s.restFaults = append(s.restFaults[:i:i], s.restFaults[i+1:]...)
		}
		c := *f
		return &c
	}
	return nil
}

// faultReply builds the answer of an injected status.
func faultReply(f *RESTFault) reply {
	if f.Status != http.StatusTooManyRequests {
		return statusError(f.Status)
	}
	secs := f.RetryAfter.Seconds()
	r := reply{status: http.StatusTooManyRequests, body: map[string]any{
		"message": "You are being rate limited.", "retry_after": secs, "global": f.Global,
	}, header: http.Header{}}
	r.header.Set("Retry-After", strconv.Itoa(int(math.Ceil(secs))))
	r.header.Set("X-RateLimit-Reset-After", strconv.FormatFloat(secs, 'f', 3, 64))
	if f.Global {
		r.header.Set("X-RateLimit-Global", "true")
		r.header.Set("X-RateLimit-Scope", "global")
	} else {
		r.header.Set("X-RateLimit-Limit", "5")
		r.header.Set("X-RateLimit-Remaining", "0")
		r.header.Set("X-RateLimit-Bucket", "discordtest")
		r.header.Set("X-RateLimit-Scope", "user")
	}
	return r
}

// RejectLateCallbacks makes (on) an interaction callback that arrives more
// than InteractionDeadline after dispatch fail with 404 Unknown interaction
// (code 10062), as Discord does. Off (the default), a late callback is
// accepted and its Callback marked Late.
func (s *Server) RejectLateCallbacks(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejectLate = on
}

// ---- gateway faults ----

// DropConnections closes every gateway connection abruptly, without a close
// frame, as a network failure would. Sessions stay resumable; events
// dispatched until the client resumes are buffered and replayed. It returns
// how many connections it dropped.
func (s *Server) DropConnections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for c := range s.conns {
		s.drop(c)
		n++
	}
	return n
}

// Reconnect sends op 7 RECONNECT on every connection whose session is ready;
// discordgo closes the connection, reconnects and resumes. It returns how many
// connections it told.
//
// Discordgo v0.29.0 can deadlock on an op 7 that arrives while Open is still
// waiting for READY (bwmarrin/discordgo#513), so connections still in their
// handshake are skipped.
func (s *Server) Reconnect() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for c := range s.conns {
		if c.ready && !c.closing {
			s.record(GatewayEvent{Kind: GatewayReconnect, Conn: c.id, SessionID: c.sessionID()})
			_ = c.write(frame{Op: opReconnect, D: rawNull})
			n++
		}
	}
	return n
}

// InvalidateSession sends op 9 INVALID SESSION with d=resumable on every
// ready connection. When not resumable the session can no longer be resumed.
// The connection stays open: the client may IDENTIFY on it again. It returns
// how many connections it told.
func (s *Server) InvalidateSession(resumable bool) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for c := range s.conns {
		if !c.ready || c.closing {
			continue
		}
		if !resumable && c.sess != nil {
			c.sess.invalid = true
		}
		s.invalidate(c, resumable)
		n++
	}
	return n
}

// CloseGateway closes every gateway connection with the close code (e.g.
// 4000, 4004 Authentication failed, 4014 Disallowed intents). Sessions stay
// resumable unless code is one that ends a session (4004, 4010-4014). It
// returns how many connections it closed.
func (s *Server) CloseGateway(code int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for c := range s.conns {
		if c.closing {
			continue
		}
		if c.sess != nil && fatalCloseCode(code) {
			c.sess.invalid = true
		}
		s.closeConn(c, code, closeText(code))
		n++
	}
	return n
}

// RejectHandshakes makes the next n IDENTIFY or RESUME payloads be answered
// by closing the connection with code, whatever they carry.
func (s *Server) RejectHandshakes(code, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.rejectGateways = append(s.rejectGateways, code)
	}
}

// StallHandshakes makes the server leave the next n IDENTIFY or RESUME
// payloads unanswered: the connection stays open and silent, as a gateway
// that hangs would. discordgo's Open sets no read deadline and waits for
// READY or RESUMED forever; the client must bound it.
func (s *Server) StallHandshakes(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stallGateways += n
}

// stalled takes one stalled handshake, if any is queued; s.mu must be held.
func (s *Server) stalled() bool {
	if s.stallGateways == 0 {
		return false
	}
	s.stallGateways--
	return true
}

// WithholdHeartbeatAcks stops (on) or resumes (off) answering heartbeats
// with op 11. discordgo reconnects after five heartbeat intervals without an ACK.
func (s *Server) WithholdHeartbeatAcks(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.withholdAcks = on
}

// fatalCloseCode reports whether Discord's close code ends the session.
func fatalCloseCode(code int) bool {
	return code == 4004 || (code >= 4010 && code <= 4014)
}

// closeText is Discord's reason for a gateway close code.
func closeText(code int) string {
	switch code {
	case 4000:
		return "Unknown error."
	case 4001:
		return "Unknown opcode."
	case 4002:
		return "Decode error."
	case 4003:
		return "Not authenticated."
	case 4004:
		return "Authentication failed."
	case 4005:
		return "Already authenticated."
	case 4007:
		return "Invalid seq."
	case 4008:
		return "Rate limited."
	case 4009:
		return "Session timed out."
	case 4010:
		return "Invalid shard."
	case 4011:
		return "Sharding required."
	case 4012:
		return "Invalid API version."
	case 4013:
		return "Invalid intent(s)."
	case 4014:
		return "Disallowed intent(s)."
	}
	return ""
}
