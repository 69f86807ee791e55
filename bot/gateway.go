package bot

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// The gateway connection and its reconnection.
//
// discordgo v0.29.0, left to itself, reconnects after every read error or
// close, whatever the close code, with a back-off that never ends: a reset
// token (4004) or intents the application may not use (4014) make it retry
// forever. The bot turns that off (Session.ShouldReconnectOnError) and
// reconnects itself: on every Disconnect event it opens the connection
// again (discordgo sends RESUME, so no event is lost), backing off while
// that fails, and gives up only when Discord answers with a close code
// that means reconnecting cannot help.

// fatalCloses are the gateway close codes after which reconnecting cannot
// help, with what to do about each.
var fatalCloses = map[int]string{
	4004: "authentication failed: the bot token is wrong or was reset; get a new one in the Discord developer portal (Applications → your app → Bot → Reset Token)",
	4010: "invalid shard: check discord.shard_id and discord.shard_count",
	4011: "sharding required: the bot is in too many servers for one connection; set discord.shard_count",
	4012: "invalid API version",
	4013: "invalid intents",
	4014: "disallowed intents: the application may not use the gateway intents the bot asks for",
}

// Back-off between reconnection attempts.
const (
	firstRetry = time.Second
	maxRetry   = 2 * time.Minute
)

// defaultHandshake bounds a connection's handshake: from dialing to READY
// or RESUMED. Discord answers within a second or two.
const defaultHandshake = 30 * time.Second

// gatewayDialer dials the gateway's network connections for discordgo and
// remembers the newest, so that a handshake left unanswered can be cut:
// discordgo's Open reads HELLO and then READY or RESUMED without a
// deadline, and would wait for ever, holding the bot's gateway lock (so
// that not even Shutdown could close it).
type gatewayDialer struct {
	net.Dialer
	mu   sync.Mutex
	conn net.Conn
}

// DialContext dials like net.Dialer and remembers the connection.
func (d *gatewayDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := d.Dialer.DialContext(ctx, network, addr)
	if err == nil {
		d.mu.Lock()
		d.conn = c
		d.mu.Unlock()
	}
	return c, err
}

// cut closes the newest connection, under TLS if any: whatever reads from
// it fails at once.
func (d *gatewayDialer) cut() {
	d.mu.Lock()
	c := d.conn
	d.mu.Unlock()
	if c != nil {
		_ = c.Close()
	}
}

// openBounded is open, given up after b.handshake: the connection being
// opened is then closed, which makes discordgo's Open return an error.
func (b *Bot) openBounded() error {
	opened := make(chan error, 1)
	go func() { opened <- b.open() }()
	timer := time.NewTimer(b.handshake)
	defer timer.Stop()
	select {
	case err := <-opened:
		return err
	case <-timer.C:
	}
	b.log.Warn("no answer to the gateway handshake; closing the connection", "after", b.handshake)
	b.dialer.cut()
	if err := <-opened; err != nil {
		return fmt.Errorf("no answer to the gateway handshake within %v: %w", b.handshake, err)
	}
	return nil // it was answered as it was being cut: the connection will be found lost
}

// errGatewayClosed is open's error after closeGateway.
var errGatewayClosed = errors.New("the gateway connection is closed for good")

// open connects the session unless closeGateway has been called.
func (b *Bot) open() error {
	b.gw.Lock()
	defer b.gw.Unlock()
	if b.gwClosed {
		return errGatewayClosed
	}
	return b.session.Open()
}

// closeGateway closes the connection for good and stops reconnecting. It
// waits for an open in progress to finish first.
func (b *Bot) closeGateway() {
	b.gw.Lock()
	already := b.gwClosed
	b.gwClosed = true
	b.gw.Unlock()
	if already {
		return
	}
	close(b.stop)
	b.connected.Store(false)
	if err := b.session.Close(); err != nil {
		b.log.Warn("closing the gateway connection", "err", b.safe(err))
	}
}

// onDisconnect wakes the supervisor: the connection is gone.
func (b *Bot) onDisconnect(*discordgo.Session, *discordgo.Disconnect) {
	b.connected.Store(false)
	select {
	case b.disconnected <- struct{}{}:
	default:
	}
}

// supervise reconnects after every disconnection until the gateway is
// closed or Discord refuses the bot for good.
func (b *Bot) supervise() {
	defer close(b.supervised)
	for {
		select {
		case <-b.stop:
			return
		case <-b.disconnected:
		}
		if !b.reconnect() {
			return
		}
	}
}

// reconnect opens the connection again, backing off while that fails. It
// reports false when it gave up for good (the error went to Fatal) or the
// gateway was closed.
func (b *Bot) reconnect() bool {
	wait := firstRetry
	for attempt := 1; ; attempt++ {
		select {
		case <-b.stop:
			return false
		default:
		}
		b.log.Info("gateway connection lost; reconnecting", "attempt", attempt)
		err := b.openBounded()
		switch {
		case err == nil:
			b.connected.Store(true)
			b.metrics.GatewayReconnected()
			b.log.Info("gateway connection resumed", "attempts", attempt)
			return true
		case errors.Is(err, discordgo.ErrWSAlreadyOpen):
			// A second Disconnect event of one loss (discordgo can send two):
			// the connection is already open again.
			b.connected.Store(true)
			return true
		case errors.Is(err, errGatewayClosed):
			return false
		}
		if code, fatal := fatalClose(err); fatal {
			err = b.explain(err)
			b.log.Error("Discord refused the gateway connection for good; baobot stops answering", "code", code, "err", err)
			select {
			case b.fatal <- err:
			default:
			}
			return false
		}
		b.log.Warn("reconnecting to the gateway failed", "err", b.safe(err), "retry_in", wait)
		select {
		case <-b.stop:
			return false
		case <-time.After(wait):
		}
		wait = min(2*wait, maxRetry)
	}
}

// fatalClose reports whether err is a gateway close that reconnecting
// cannot fix, and its code.
func fatalClose(err error) (int, bool) {
	var ce *websocket.CloseError
	if !errors.As(err, &ce) {
		return 0, false
	}
	_, fatal := fatalCloses[ce.Code]
	return ce.Code, fatal
}

// explain turns a fatal gateway close into an error saying what to do,
// and any other error into one without secrets.
func (b *Bot) explain(err error) error {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		if what, ok := fatalCloses[ce.Code]; ok {
			return fmt.Errorf("Discord closed the gateway with code %d, %s", ce.Code, what)
		}
	}
	return b.safe(err)
}
