package discordtest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// Defaults of a new Server.
const (
	// DefaultToken is the bot token the server accepts unless WithToken says otherwise.
	DefaultToken = "discordtest-token"
	// DefaultHeartbeatInterval is the interval HELLO announces, as Discord's gateway does.
	DefaultHeartbeatInterval = 41250 * time.Millisecond
	// DefaultWait bounds how long a dispatch helper waits for an identified gateway session.
	DefaultWait = 5 * time.Second

	// InteractionDeadline is the time Discord allows between dispatching an
	// interaction and receiving its callback.
	InteractionDeadline = 3 * time.Second
	// InteractionTokenLifetime is how long an interaction token works for
	// follow-ups and edits.
	InteractionTokenLifetime = 15 * time.Minute
)

// discordEpoch is the first millisecond of 2015, the epoch of Discord's snowflakes.
const discordEpoch = 1420070400000

// Option configures a Server.
type Option func(*config)

type config struct {
	token               string
	heartbeat           time.Duration
	wait                time.Duration
	privilegedIntents   discordgo.Intent
	privilegedIntentsOK bool
}

// WithToken sets the bot token that REST calls (header "Authorization: Bot TOKEN")
// and gateway IDENTIFY/RESUME must carry. Give it without the "Bot " prefix.
func WithToken(token string) Option { return func(c *config) { c.token = token } }

// WithHeartbeatInterval sets the heartbeat_interval sent in HELLO. discordgo
// gives up on a connection after five intervals without an ACK.
func WithHeartbeatInterval(d time.Duration) Option { return func(c *config) { c.heartbeat = d } }

// WithWait sets how long dispatch helpers wait for an identified gateway session.
func WithWait(d time.Duration) Option { return func(c *config) { c.wait = d } }

// WithPrivilegedIntents sets which privileged intents (GuildMembers,
// GuildPresences, MessageContent) the application may request; an IDENTIFY
// asking for another one is closed with 4014 Disallowed intent(s). By default
// all three are allowed, as if enabled in the developer portal.
func WithPrivilegedIntents(allowed discordgo.Intent) Option {
	return func(c *config) { c.privilegedIntents, c.privilegedIntentsOK = allowed, true }
}

const privilegedIntents = discordgo.IntentGuildMembers | discordgo.IntentGuildPresences | discordgo.IntentMessageContent

// Server is a local Discord: REST routes under /api/v9 and a gateway websocket,
// on a real port of 127.0.0.1. It holds one application (with its bot user),
// one guild with a text channel, and a default human user; it records every
// request, message, callback and gateway event for assertions.
//
// All methods are safe for concurrent use. Methods documented as failing the
// test call t.Fatalf and must be called from the test's goroutine.
type Server struct {
	t    testing.TB
	cfg  config
	ln   net.Listener
	hs   *http.Server
	base string // "http://127.0.0.1:PORT"
	tr   *http.Transport
	up   websocket.Upgrader
	mux  *http.ServeMux

	done chan struct{}
	wg   sync.WaitGroup

	mu      sync.Mutex
	closed  bool
	changed chan struct{} // closed and replaced whenever recorded state changes
	offset  time.Duration // added to the wall clock, see Advance
	lastID  uint64

	appID     string
	bot       *discordgo.User
	owner     *discordgo.User
	user      *discordgo.User
	users     map[string]*discordgo.User
	guild     *guild
	channels  map[string]*channel
	chanOrder []string
	general   string            // the default text channel; never changes
	dms       map[string]string // user id → DM channel id

	requests     []Request
	messages     []*message
	messageByID  map[string]*message
	interactions map[string]*interaction
	commands     map[string][]*command // scope ("" = global, else guild id)
	uploads      map[string]File       // attachment id → file, see AddAttachment
	overwrites   map[string]int        // scope → successful bulk overwrites
	gateway      []GatewayEvent

	// gateway
	connSeq  int
	conns    map[*conn]struct{}
	sessions map[string]*session

	// faults
	restFaults     []*RESTFault
	rejectLate     bool
	withholdAcks   bool
	rejectGateways []int
	stallGateways  int // handshakes left unanswered, see StallHandshakes
}

type guild struct {
	id, name, ownerID string
	locale            discordgo.Locale
	roles             []*role
	members           map[string]*member
	botRole           string
}

type role struct {
	id, name string
	perms    int64
	position int
}

type member struct {
	userID   string
	roles    []string
	joinedAt time.Time
}

type channel struct {
	id, guildID, name string
	typ               discordgo.ChannelType
	recipient         string // DM channels: the other user
}

// New starts a Server on 127.0.0.1 and, when t is not nil, registers Close
// with t.Cleanup. It fails the test (or panics, with a nil t) if it cannot listen.
//
// Register the discordgo session's Close after calling New, so that cleanup
// closes the session before the server.
func New(t testing.TB, opts ...Option) *Server {
	if t != nil {
		t.Helper()
	}
	cfg := config{token: DefaultToken, heartbeat: DefaultHeartbeatInterval, wait: DefaultWait}
	for _, o := range opts {
		o(&cfg)
	}
	if !cfg.privilegedIntentsOK {
		cfg.privilegedIntents = privilegedIntents
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		err = fmt.Errorf("discordtest: listen: %w", err)
		if t == nil {
			panic(err)
		}
		t.Fatal(err)
	}
	s := &Server{
		t:            t,
		cfg:          cfg,
		ln:           ln,
		base:         "http://" + ln.Addr().String(),
		done:         make(chan struct{}),
		changed:      make(chan struct{}),
		users:        map[string]*discordgo.User{},
		channels:     map[string]*channel{},
		dms:          map[string]string{},
		messageByID:  map[string]*message{},
		interactions: map[string]*interaction{},
		commands:     map[string][]*command{},
		uploads:      map[string]File{},
		overwrites:   map[string]int{},
		conns:        map[*conn]struct{}{},
		sessions:     map[string]*session{},
		up:           websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }},
	}
	s.tr = &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     30 * time.Second,
	}
	s.seedWorld()
	s.mux = s.routes()
	s.hs = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = s.hs.Serve(ln) // returns http.ErrServerClosed on Close
	}()
	if t != nil {
		t.Cleanup(s.Close)
	}
	return s
}

// seedWorld creates the application, its bot user, the guild with its roles
// and text channel, the guild owner and the default user.
func (s *Server) seedWorld() {
	s.appID = s.newID()
	s.bot = &discordgo.User{ID: s.appID, Username: "baobot", Discriminator: "0", Bot: true}
	s.owner = &discordgo.User{ID: s.newID(), Username: "owner", GlobalName: "Guild Owner", Discriminator: "0"}
	s.user = &discordgo.User{ID: s.newID(), Username: "tester", GlobalName: "Tester", Discriminator: "0"}
	for _, u := range []*discordgo.User{s.bot, s.owner, s.user} {
		s.users[u.ID] = u
	}
	now := s.now()
	g := &guild{id: s.newID(), name: "discordtest guild", ownerID: s.owner.ID, locale: discordgo.EnglishUS, members: map[string]*member{}}
	g.roles = []*role{{id: g.id, name: "@everyone", perms: everyonePermissions}}
	g.botRole = s.newID()
	g.roles = append(g.roles, &role{id: g.botRole, name: "baobot", perms: botPermissions, position: 1})
	for _, u := range []*discordgo.User{s.bot, s.owner, s.user} {
		m := &member{userID: u.ID, joinedAt: now}
		if u == s.bot {
			m.roles = []string{g.botRole}
		}
		g.members[u.ID] = m
	}
	s.guild = g
	s.general = s.newID()
	s.addChannel(&channel{id: s.general, guildID: g.id, name: "general", typ: discordgo.ChannelTypeGuildText})
}

// Permissions of @everyone and of the bot's managed role in the guild.
const (
	everyonePermissions = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages |
		discordgo.PermissionReadMessageHistory | discordgo.PermissionAddReactions |
		discordgo.PermissionEmbedLinks | discordgo.PermissionAttachFiles |
		discordgo.PermissionUseSlashCommands | discordgo.PermissionCreateInstantInvite |
		discordgo.PermissionChangeNickname | discordgo.PermissionSendMessagesInThreads
	botPermissions = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages |
		discordgo.PermissionEmbedLinks | discordgo.PermissionAttachFiles |
		discordgo.PermissionReadMessageHistory | discordgo.PermissionUseExternalEmojis
	dmPermissions = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages |
		discordgo.PermissionEmbedLinks | discordgo.PermissionAttachFiles |
		discordgo.PermissionReadMessageHistory | discordgo.PermissionAddReactions
)

func (s *Server) addChannel(c *channel) {
	s.channels[c.id] = c
	s.chanOrder = append(s.chanOrder, c.id)
}

// URL returns the server's base URL, "http://127.0.0.1:PORT". REST routes
// live under URL()+"/api/v9/"; the gateway is at "ws://127.0.0.1:PORT/gateway".
func (s *Server) URL() string { return s.base }

// GatewayURL returns the websocket address that GET /api/v9/gateway announces.
func (s *Server) GatewayURL() string { return "ws://" + s.ln.Addr().String() + "/gateway" }

// Token returns the bot token the server accepts (without the "Bot " prefix).
func (s *Server) Token() string { return s.cfg.token }

// AppID returns the application's id, which is also its bot user's id.
func (s *Server) AppID() string { return s.appID }

// BotUser returns a copy of the bot user.
func (s *Server) BotUser() *discordgo.User { u := *s.bot; return &u }

// User returns a copy of the default human user, the author of events whose
// From has no User.
func (s *Server) User() *discordgo.User { u := *s.user; return &u }

// GuildID returns the id of the guild.
func (s *Server) GuildID() string { return s.guild.id }

// ChannelID returns the id of the guild's default text channel.
func (s *Server) ChannelID() string { return s.general }

// AddChannel adds a text channel to the guild and returns its id.
func (s *Server) AddChannel(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &channel{id: s.newID(), guildID: s.guild.id, name: name, typ: discordgo.ChannelTypeGuildText}
	s.addChannel(c)
	return c.id
}

// AddRole adds a role with the given permissions to the guild and returns its id.
func (s *Server) AddRole(name string, permissions int64) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := &role{id: s.newID(), name: name, perms: permissions, position: len(s.guild.roles)}
	s.guild.roles = append(s.guild.roles, r)
	return r.id
}

// AddUser registers a human user (so that it can be fetched and DMed) and
// returns it. A user named in an event's From is registered automatically.
func (s *Server) AddUser(username string) *discordgo.User {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := &discordgo.User{ID: s.newID(), Username: username, Discriminator: "0"}
	s.users[u.ID] = u
	s.guild.members[u.ID] = &member{userID: u.ID, joinedAt: s.now()}
	c := *u
	return &c
}

// DMChannelID returns the id of the direct-message channel between the bot
// and the user, creating it if needed.
func (s *Server) DMChannelID(userID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dmChannel(userID)
}

func (s *Server) dmChannel(userID string) string {
	if id, ok := s.dms[userID]; ok {
		return id
	}
	c := &channel{id: s.newID(), typ: discordgo.ChannelTypeDM, recipient: userID}
	s.addChannel(c)
	s.dms[userID] = c.id
	return c.id
}

// Advance moves the server's clock forward by d: interaction deadlines, token
// lifetimes and timestamps all follow it. Use it instead of sleeping, e.g.
// Advance(16*time.Minute) to expire every interaction token.
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset += d
	s.notify()
}

// now returns the server's clock; s.mu must be held (or the server not yet shared).
func (s *Server) now() time.Time { return time.Now().Add(s.offset) }

// newID returns a new snowflake, increasing; s.mu must be held.
func (s *Server) newID() string {
	id := uint64(s.now().UnixMilli()-discordEpoch) << 22
	if id <= s.lastID {
		id = s.lastID + 1
	}
	s.lastID = id
	return strconv.FormatUint(id, 10)
}

// randomToken returns an opaque, URL-safe token.
func randomToken(prefix string) string {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 32)
	for i := range b {
		b[i] = letters[rand.IntN(len(letters))]
	}
	return prefix + string(b)
}

// notify wakes every waiter; s.mu must be held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// errClosed is returned by waits and dispatches after Close.
var errClosed = errors.New("discordtest: server closed")

// enter registers a goroutine doing work for the server; it reports false
// after Close. Every successful enter must be matched by s.wg.Done.
func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	return true
}

// Close stops the server: it closes every gateway connection (without a close
// frame), stops the HTTP server, cancels injected delays and waits for every
// goroutine the server started. It is idempotent.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	close(s.done)
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.notify()
	s.mu.Unlock()

	for _, c := range conns {
		_ = c.ws.Close()
	}
	_ = s.hs.Close()
	s.wg.Wait()
	s.tr.CloseIdleConnections()
}

// fatalf fails the test, or panics without one.
func (s *Server) fatalf(format string, args ...any) {
	if s.t == nil {
		panic(fmt.Sprintf(format, args...))
	}
	s.t.Helper()
	s.t.Fatalf(format, args...)
}

// logf logs through the test when there is one.
func (s *Server) logf(format string, args ...any) {
	if s.t != nil {
		s.t.Logf("discordtest: "+format, args...)
	}
}

// Transport returns an http.RoundTripper for tests: it sends every request to
// this server whatever scheme and host the request names, so a
// discordgo.Session whose Client uses it talks to the fake without touching
// discordgo's Endpoint variables. Its idle connections close with the server.
func (s *Server) Transport() http.RoundTripper {
	return &rewriteTransport{host: s.ln.Addr().String(), next: s.tr}
}

type rewriteTransport struct {
	host string
	next http.RoundTripper
}

func (t *rewriteTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r2 := r.Clone(r.Context())
	r2.URL.Scheme = "http"
	r2.URL.Host = t.host
	r2.Host = ""
	return t.next.RoundTrip(r2)
}
