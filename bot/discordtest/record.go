package discordtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Request is one REST request as the server received and answered it.
type Request struct {
	Route  Route // the matched route, "" when none matched (answered 404)
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	Body   []byte          // the raw body
	JSON   json.RawMessage // the JSON payload: the body, or payload_json of a multipart body
	Files  []File          // files of a multipart body
	Status int             // the status answered
	// Response is the body answered.
	Response []byte
	// Fault describes the injected fault that answered instead of the route, "" if none.
	Fault string
	At    time.Time
}

// Decode unmarshals the request's JSON payload into v.
func (r Request) Decode(v any) error { return json.Unmarshal(r.JSON, v) }

// File is a file uploaded in a multipart request.
type File struct {
	Field       string // form field, e.g. "files[0]"
	Name        string
	ContentType string
	Data        []byte
}

// MessageKind says how a message came to be.
type MessageKind int

// Kinds of messages.
const (
	// KindUser is a message a user wrote, dispatched by DirectMessage, Mention or GuildMessage.
	KindUser MessageKind = iota + 1
	// KindChannel is a message the bot posted with POST /channels/{id}/messages.
	KindChannel
	// KindResponse is an interaction's original response (callback type 4 or 5,
	// then edits of @original).
	KindResponse
	// KindFollowup is a follow-up message (POST /webhooks/{app}/{token}).
	KindFollowup
)

func (k MessageKind) String() string {
	switch k {
	case KindUser:
		return "user"
	case KindChannel:
		return "channel"
	case KindResponse:
		return "response"
	case KindFollowup:
		return "followup"
	}
	return "unknown"
}

// Message is a message as the server holds it now, after any edits.
type Message struct {
	ID        string
	ChannelID string
	GuildID   string // "" in a DM
	Author    *discordgo.User
	Kind      MessageKind
	// InteractionID is the interaction a response or follow-up belongs to.
	InteractionID string
	Content       string
	Embeds        []*discordgo.MessageEmbed
	Components    []discordgo.MessageComponent
	// AllowedMentions is the allowed_mentions object last sent for the
	// message, nil if none was; AllowedMentionsJSON is it as sent.
	AllowedMentions     *discordgo.MessageAllowedMentions
	AllowedMentionsJSON json.RawMessage
	Flags               discordgo.MessageFlags
	Files               []File
	// Deferred is true for the placeholder of a deferred response (callback
	// type 5) until @original is edited.
	Deferred bool
	Deleted  bool
	Edits    int
	// CreatedAt and EditedAt follow the server's clock; EditedAt is zero if never edited.
	CreatedAt time.Time
	EditedAt  time.Time
}

// MentionsSuppressed reports whether the message was sent with an
// allowed_mentions that pings nobody: {"parse":[]} with no users, roles or
// replied user.
func (m Message) MentionsSuppressed() bool {
	a := m.AllowedMentions
	return a != nil && len(a.Parse) == 0 && len(a.Users) == 0 && len(a.Roles) == 0 && !a.RepliedUser
}

// Ephemeral reports whether the message has the ephemeral flag.
func (m Message) Ephemeral() bool { return m.Flags&discordgo.MessageFlagsEphemeral != 0 }

// message is the server's mutable record of a Message.
type message struct {
	seq             int
	id, channelID   string
	guildID         string
	author          *discordgo.User
	kind            MessageKind
	interactionID   string
	msgType         discordgo.MessageType
	content         string
	embeds          json.RawMessage // JSON array, nil if none
	components      json.RawMessage // JSON array, nil if none
	allowedMentions json.RawMessage
	flags           int64
	files           []File
	reference       json.RawMessage
	mentions        []string // user ids
	deferred        bool
	deleted         bool
	edits           int
	createdAt       time.Time
	editedAt        time.Time
	visibleAt       time.Time // when it first had content (not a deferred placeholder)
}

func (m *message) snapshot() Message {
	out := Message{
		ID: m.id, ChannelID: m.channelID, GuildID: m.guildID, Kind: m.kind,
		InteractionID: m.interactionID, Content: m.content,
		Flags: discordgo.MessageFlags(m.flags), Deferred: m.deferred, Deleted: m.deleted,
		Edits: m.edits, CreatedAt: m.createdAt, EditedAt: m.editedAt,
	}
	if m.author != nil {
		a := *m.author
		out.Author = &a
	}
	if len(m.embeds) > 0 {
		_ = json.Unmarshal(m.embeds, &out.Embeds)
	}
	if len(m.components) > 0 {
		var wrap discordgo.Message
		if json.Unmarshal([]byte(`{"components":`+string(m.components)+`}`), &wrap) == nil {
			out.Components = wrap.Components
		}
	}
	if len(m.allowedMentions) > 0 && string(m.allowedMentions) != "null" {
		out.AllowedMentionsJSON = append(json.RawMessage(nil), m.allowedMentions...)
		var am discordgo.MessageAllowedMentions
		if json.Unmarshal(m.allowedMentions, &am) == nil {
			out.AllowedMentions = &am
		}
	}
	for _, f := range m.files {
		f.Data = append([]byte(nil), f.Data...)
		out.Files = append(out.Files, f)
	}
	return out
}

// Callback is the accepted callback of an interaction.
type Callback struct {
	InteractionID string
	Type          discordgo.InteractionResponseType
	// Data is the callback's data object as sent (null or absent for types 5 and 6).
	Data json.RawMessage
	// Choices are an autocomplete result's choices (type 8).
	Choices []*discordgo.ApplicationCommandOptionChoice
	// Latency is the time from dispatch to the callback's arrival; Late is
	// Latency > InteractionDeadline.
	Latency time.Duration
	Late    bool
	At      time.Time
}

// Decode unmarshals the callback's data into v, e.g. a discordgo.InteractionResponseData.
func (c Callback) Decode(v any) error { return json.Unmarshal(c.Data, v) }

// GatewayEventKind names what happened on the gateway.
type GatewayEventKind string

// Kinds of gateway events.
const (
	GatewayConnect        GatewayEventKind = "connect"         // a websocket connection opened
	GatewayIdentify       GatewayEventKind = "identify"        // op 2 IDENTIFY received
	GatewayResume         GatewayEventKind = "resume"          // op 6 RESUME received
	GatewayReady          GatewayEventKind = "ready"           // READY sent (a new session)
	GatewayResumed        GatewayEventKind = "resumed"         // missed events replayed, RESUMED sent
	GatewayInvalidSession GatewayEventKind = "invalid_session" // op 9 sent
	GatewayReconnect      GatewayEventKind = "reconnect"       // op 7 sent
	GatewayHeartbeat      GatewayEventKind = "heartbeat"       // op 1 received; Acked says whether op 11 answered
	GatewayDispatch       GatewayEventKind = "dispatch"        // an event given a sequence number in a session
	GatewayClose          GatewayEventKind = "close"           // the server closed a connection with Code
	GatewayDrop           GatewayEventKind = "drop"            // the server dropped a connection without a close frame
	GatewayDisconnect     GatewayEventKind = "disconnect"      // a connection ended; Code is the client's close code, if any
	GatewayOther          GatewayEventKind = "other"           // another client op (3, 4, 8), in Op
)

// GatewayEvent is one thing that happened on the gateway.
type GatewayEvent struct {
	Kind      GatewayEventKind
	Conn      int // connection number, from 1
	SessionID string
	Seq       int64  // dispatch: its sequence number; heartbeat and resume: the client's
	Type      string // dispatch: the event type, e.g. "INTERACTION_CREATE"
	Code      int    // close and disconnect: the close code
	Op        int    // other: the op code
	Resumable bool   // invalid_session: the d flag
	Acked     bool   // heartbeat: whether op 11 was sent
	// Delivered is false for a dispatch buffered while the session had no
	// live connection (it is replayed on RESUME) or withheld by intents.
	Delivered bool
	Replayed  int              // resumed: how many events were replayed
	Intents   discordgo.Intent // identify: the intents requested
	Query     url.Values       // connect: the query of the websocket URL
	At        time.Time
}
