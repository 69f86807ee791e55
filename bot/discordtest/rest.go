package discordtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Route is a REST route of the server, written as its http.ServeMux pattern.
// Requests and faults name routes with these values.
type Route string

// The REST routes the server answers.
const (
	RouteGateway                 Route = "GET /api/v9/gateway"
	RouteGatewayBot              Route = "GET /api/v9/gateway/bot"
	RouteUser                    Route = "GET /api/v9/users/{user}"
	RouteUserChannelCreate       Route = "POST /api/v9/users/@me/channels"
	RouteChannel                 Route = "GET /api/v9/channels/{channel}"
	RouteChannelTyping           Route = "POST /api/v9/channels/{channel}/typing"
	RouteMessageCreate           Route = "POST /api/v9/channels/{channel}/messages"
	RouteMessageGet              Route = "GET /api/v9/channels/{channel}/messages/{message}"
	RouteMessageEdit             Route = "PATCH /api/v9/channels/{channel}/messages/{message}"
	RouteMessageDelete           Route = "DELETE /api/v9/channels/{channel}/messages/{message}"
	RouteGuild                   Route = "GET /api/v9/guilds/{guild}"
	RouteGuildChannels           Route = "GET /api/v9/guilds/{guild}/channels"
	RouteGuildRoles              Route = "GET /api/v9/guilds/{guild}/roles"
	RouteGuildMember             Route = "GET /api/v9/guilds/{guild}/members/{user}"
	RouteApplication             Route = "GET /api/v9/oauth2/applications/{app}"
	RouteGlobalCommands          Route = "GET /api/v9/applications/{app}/commands"
	RouteGlobalCommandsOverwrite Route = "PUT /api/v9/applications/{app}/commands"
	RouteGlobalCommandCreate     Route = "POST /api/v9/applications/{app}/commands"
	RouteGlobalCommandDelete     Route = "DELETE /api/v9/applications/{app}/commands/{command}"
	RouteGuildCommands           Route = "GET /api/v9/applications/{app}/guilds/{guild}/commands"
	RouteGuildCommandsOverwrite  Route = "PUT /api/v9/applications/{app}/guilds/{guild}/commands"
	RouteGuildCommandCreate      Route = "POST /api/v9/applications/{app}/guilds/{guild}/commands"
	RouteGuildCommandDelete      Route = "DELETE /api/v9/applications/{app}/guilds/{guild}/commands/{command}"
	RouteInteractionCallback     Route = "POST /api/v9/interactions/{interaction}/{token}/callback"
	RouteFollowupCreate          Route = "POST /api/v9/webhooks/{app}/{token}"
	RouteWebhookMessageGet       Route = "GET /api/v9/webhooks/{app}/{token}/messages/{message}"
	RouteWebhookMessageEdit      Route = "PATCH /api/v9/webhooks/{app}/{token}/messages/{message}"
	RouteWebhookMessageDelete    Route = "DELETE /api/v9/webhooks/{app}/{token}/messages/{message}"
)

// unauthenticated routes authenticate by the token in their path, or not at all.
var unauthenticated = map[Route]bool{
	RouteGateway: true, RouteInteractionCallback: true, RouteFollowupCreate: true,
	RouteWebhookMessageGet: true, RouteWebhookMessageEdit: true, RouteWebhookMessageDelete: true,
	RouteAttachment: true,
}

const maxBody = 25 << 20

// call is one REST request being handled.
type call struct {
	r     *http.Request
	route Route
	json  []byte
	files []File
	at    time.Time
}

// reply is a handler's answer.
type reply struct {
	status int
	body   any    // marshaled to JSON; nil: no body
	raw    []byte // sent as it is when body is nil (set Content-Type in header)
	header http.Header
	why    string // for the test log when the request is refused
}

type handler func(c *call) reply

func ok(v any) reply   { return reply{status: http.StatusOK, body: v} }
func noContent() reply { return reply{status: http.StatusNoContent} }
func apiError(status, code int, msg string) reply {
	return reply{status: status, body: map[string]any{"message": msg, "code": code}, why: msg}
}

// statusError is Discord's body for a bare status.
func statusError(status int) reply {
	switch status {
	case http.StatusForbidden:
		return apiError(status, 50013, "Missing Permissions")
	}
	return apiError(status, 0, fmt.Sprintf("%d: %s", status, http.StatusText(status)))
}

func invalidForm(e *formErrors) reply {
	return reply{status: http.StatusBadRequest, why: "Invalid Form Body: " + e.String(), body: map[string]any{
		"code": 50035, "message": "Invalid Form Body", "errors": e.root,
	}}
}

func formError(path []string, code, msg string) reply {
	e := &formErrors{}
	e.add(path, code, msg)
	return invalidForm(e)
}

var (
	errUnknownChannel     = apiError(http.StatusNotFound, 10003, "Unknown Channel")
	errUnknownMessage     = apiError(http.StatusNotFound, 10008, "Unknown Message")
	errUnknownUser        = apiError(http.StatusNotFound, 10013, "Unknown User")
	errUnknownGuild       = apiError(http.StatusNotFound, 10004, "Unknown Guild")
	errUnknownMember      = apiError(http.StatusNotFound, 10007, "Unknown Member")
	errUnknownApplication = apiError(http.StatusNotFound, 10002, "Unknown Application")
	errUnknownWebhook     = apiError(http.StatusNotFound, 10015, "Unknown Webhook")
	errUnknownInteraction = apiError(http.StatusNotFound, 10062, "Unknown interaction")
	errUnknownCommand     = apiError(http.StatusNotFound, 10063, "Unknown application command")
	errAlreadyAcked       = apiError(http.StatusBadRequest, 40060, "Interaction has already been acknowledged.")
	errInvalidToken       = apiError(http.StatusUnauthorized, 50027, "Invalid Webhook Token")
	errEmptyMessage       = apiError(http.StatusBadRequest, 50006, "Cannot send an empty message")
	errNotAuthor          = apiError(http.StatusForbidden, 50005, "Cannot edit a message authored by another user")
	errInvalidJSON        = apiError(http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
	errUnauthorized       = apiError(http.StatusUnauthorized, 0, "401: Unauthorized")
	errMissingAccess      = apiError(http.StatusForbidden, 50001, "Missing Access")
)

func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	handle := func(r Route, h handler) { mux.HandleFunc(string(r), s.rest(r, h)) }
	handle(RouteGateway, s.getGateway)
	handle(RouteGatewayBot, s.getGatewayBot)
	handle(RouteUser, s.getUser)
	handle(RouteUserChannelCreate, s.createDM)
	handle(RouteChannel, s.getChannel)
	handle(RouteChannelTyping, s.typing)
	handle(RouteMessageCreate, s.createMessage)
	handle(RouteMessageGet, s.getMessage)
	handle(RouteMessageEdit, s.editMessage)
	handle(RouteMessageDelete, s.deleteMessage)
	handle(RouteGuild, s.getGuild)
	handle(RouteGuildChannels, s.getGuildChannels)
	handle(RouteGuildRoles, s.getGuildRoles)
	handle(RouteGuildMember, s.getGuildMember)
	handle(RouteApplication, s.getApplication)
	handle(RouteGlobalCommands, s.getCommands)
	handle(RouteGlobalCommandsOverwrite, s.overwriteCommands)
	handle(RouteGlobalCommandCreate, s.createCommand)
	handle(RouteGlobalCommandDelete, s.deleteCommand)
	handle(RouteGuildCommands, s.getCommands)
	handle(RouteGuildCommandsOverwrite, s.overwriteCommands)
	handle(RouteGuildCommandCreate, s.createCommand)
	handle(RouteGuildCommandDelete, s.deleteCommand)
	handle(RouteInteractionCallback, s.interactionCallback)
	handle(RouteFollowupCreate, s.createFollowup)
	handle(RouteWebhookMessageGet, s.webhookMessage)
	handle(RouteWebhookMessageEdit, s.webhookMessage)
	handle(RouteWebhookMessageDelete, s.webhookMessage)
	handle(RouteAttachment, s.getAttachment)
	mux.HandleFunc("GET /gateway", s.serveGateway)
	mux.HandleFunc("GET /gateway/{$}", s.serveGateway)
	mux.HandleFunc("/", s.rest("", func(c *call) reply {
		r := statusError(http.StatusNotFound)
		r.why = "discordtest has no route " + c.r.Method + " " + c.r.URL.Path
		return r
	}))
	return mux
}

// serve is the server's root handler.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if !s.enter() {
		http.Error(w, "discordtest: closed", http.StatusServiceUnavailable)
		return
	}
	defer s.wg.Done()
	s.mux.ServeHTTP(w, r)
}

// rest wraps a route handler: it records the request, applies faults and
// authentication, and answers. Handlers run with s.mu held.
func (s *Server) rest(route Route, h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, readErr := io.ReadAll(io.LimitReader(r.Body, maxBody))
		rec := Request{
			Route: route, Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(),
			Header: r.Header.Clone(), Body: body,
		}
		c := &call{r: r, route: route}
		parseErr := readErr
		if parseErr == nil {
			c.json, c.files, parseErr = parsePayload(r.Header.Get("Content-Type"), body)
		}
		rec.JSON, rec.Files = c.json, c.files

		s.mu.Lock()
		c.at = s.now()
		rec.At = c.at
		var fault *RESTFault
		if route != "" {
			fault = s.takeFault(route)
		}
		s.mu.Unlock()
		if fault != nil && fault.Delay > 0 {
			t := time.NewTimer(fault.Delay)
			select {
			case <-t.C:
			case <-s.done:
				t.Stop()
			}
		}

		s.mu.Lock()
		var rep reply
		switch {
		case s.closed:
			rep = statusError(http.StatusServiceUnavailable)
		case fault != nil && fault.Status != 0:
			rep = faultReply(fault)
			rep.why = "injected fault: " + fault.String()
		case route != "" && !unauthenticated[route] && r.Header.Get("Authorization") != "Bot "+s.cfg.token:
			rep = errUnauthorized
		case parseErr != nil:
			rep = errInvalidJSON
		default:
			rep = h(c)
		}
		if fault != nil {
			rec.Fault = fault.String()
		}
		out, isJSON := rep.raw, false
		if rep.body != nil {
			out, _ = json.Marshal(rep.body)
			isJSON = true
		}
		rec.Status, rec.Response = rep.status, out
		s.requests = append(s.requests, rec)
		s.notify()
		if rep.status >= 400 && rep.why != "" {
			s.logf("%s %s → %d: %s", r.Method, r.URL.Path, rep.status, rep.why)
		}
		s.mu.Unlock()

		for k, v := range rep.header {
			w.Header()[k] = v
		}
		if isJSON {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(rep.status)
		_, _ = w.Write(out)
	}
}

// parsePayload extracts the JSON payload and files of a request body.
func parsePayload(contentType string, body []byte) (json.RawMessage, []File, error) {
	if len(body) == 0 {
		return nil, nil, nil
	}
	mt, params, _ := mime.ParseMediaType(contentType)
	if mt != "multipart/form-data" {
		if !json.Valid(body) {
			return nil, nil, errors.New("invalid JSON")
		}
		return body, nil, nil
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	var payload json.RawMessage
	var files []File
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		data, err := io.ReadAll(p)
		if err != nil {
			return nil, nil, err
		}
		switch name := p.FormName(); {
		case name == "payload_json":
			if !json.Valid(data) {
				return nil, nil, errors.New("invalid payload_json")
			}
			payload = data
		case strings.HasPrefix(name, "files[") || p.FileName() != "":
			files = append(files, File{Field: name, Name: p.FileName(), ContentType: p.Header.Get("Content-Type"), Data: data})
		}
	}
	return payload, files, nil
}

// ---- gateway discovery, users, channels, guilds ----

func (s *Server) getGateway(*call) reply { return ok(map[string]any{"url": s.GatewayURL()}) }

func (s *Server) getGatewayBot(*call) reply {
	return ok(map[string]any{"url": s.GatewayURL(), "shards": 1, "session_start_limit": map[string]any{
		"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1,
	}})
}

func (s *Server) getUser(c *call) reply {
	id := c.r.PathValue("user")
	if id == "@me" {
		u := s.userJSON(s.bot)
		u["verified"], u["mfa_enabled"], u["flags"] = true, false, 0
		return ok(u)
	}
	u, found := s.users[id]
	if !found {
		return errUnknownUser
	}
	return ok(s.userJSON(u))
}

func (s *Server) createDM(c *call) reply {
	var p struct {
		RecipientID string `json:"recipient_id"`
	}
	if err := json.Unmarshal(c.json, &p); err != nil || p.RecipientID == "" {
		return formError([]string{"recipient_id"}, "BASE_TYPE_REQUIRED", "This field is required")
	}
	if _, found := s.users[p.RecipientID]; !found || p.RecipientID == s.bot.ID {
		return errUnknownUser
	}
	return ok(s.channelJSON(s.channels[s.dmChannel(p.RecipientID)], true))
}

func (s *Server) getChannel(c *call) reply {
	ch, found := s.channels[c.r.PathValue("channel")]
	if !found {
		return errUnknownChannel
	}
	return ok(s.channelJSON(ch, true))
}

func (s *Server) typing(c *call) reply {
	if _, found := s.channels[c.r.PathValue("channel")]; !found {
		return errUnknownChannel
	}
	return noContent()
}

func (s *Server) getGuild(c *call) reply {
	if c.r.PathValue("guild") != s.guild.id {
		return errUnknownGuild
	}
	return ok(s.guildJSON())
}

func (s *Server) getGuildChannels(c *call) reply {
	if c.r.PathValue("guild") != s.guild.id {
		return errUnknownGuild
	}
	out := []any{}
	for _, id := range s.chanOrder {
		if ch := s.channels[id]; ch.guildID == s.guild.id {
			out = append(out, s.channelJSON(ch, true))
		}
	}
	return ok(out)
}

func (s *Server) getGuildRoles(c *call) reply {
	if c.r.PathValue("guild") != s.guild.id {
		return errUnknownGuild
	}
	out := []any{}
	for _, r := range s.guild.roles {
		out = append(out, roleJSON(r))
	}
	return ok(out)
}

func (s *Server) getGuildMember(c *call) reply {
	if c.r.PathValue("guild") != s.guild.id {
		return errUnknownGuild
	}
	id := c.r.PathValue("user")
	if _, found := s.guild.members[id]; !found {
		return errUnknownMember
	}
	return ok(s.memberJSON(id, true, false))
}

func (s *Server) getApplication(c *call) reply {
	if id := c.r.PathValue("app"); id != "@me" && id != s.appID {
		return errUnknownApplication
	}
	return ok(map[string]any{
		"id": s.appID, "name": s.bot.Username, "icon": nil, "description": "", "bot_public": true,
		"bot_require_code_grant": false, "verify_key": "discordtest", "flags": 0,
		"bot": s.userJSON(s.bot), "owner": s.userJSON(s.owner),
	})
}

// ---- channel messages ----

// newMessage makes a bot message from a validated payload; s.mu must be held.
func (s *Server) newMessage(kind MessageKind, ch *channel, payload []byte, files []File) *message {
	m := &message{
		id: s.newID(), channelID: ch.id, guildID: ch.guildID, author: s.bot, kind: kind,
		createdAt: s.now(),
	}
	m.visibleAt = m.createdAt
	s.applyPayload(m, payload, files, true)
	s.addMessage(m)
	return m
}

// applyPayload sets the fields a create or edit payload carries; s.mu must be held.
func (s *Server) applyPayload(m *message, payload []byte, files []File, create bool) {
	var keys map[string]json.RawMessage
	_ = json.Unmarshal(payload, &keys)
	if v, found := keys["content"]; found {
		var content string
		_ = json.Unmarshal(v, &content)
		m.content = content
	}
	if v, found := keys["embeds"]; found {
		m.embeds = nullToNil(v)
	}
	if v, found := keys["components"]; found {
		m.components = nullToNil(v)
	}
	if v, found := keys["allowed_mentions"]; found {
		m.allowedMentions = nullToNil(v)
	}
	if v, found := keys["flags"]; found && create {
		_ = json.Unmarshal(v, &m.flags)
	}
	if v, found := keys["message_reference"]; found && create {
		m.reference = nullToNil(v)
		if m.reference != nil {
			m.msgType = discordgo.MessageTypeReply
		}
	}
	if v, found := keys["attachments"]; found && !create && (string(v) == "[]" || string(v) == "null") {
		m.files = nil
	}
	m.files = append(m.files, files...)
}

func nullToNil(v json.RawMessage) json.RawMessage {
	if string(v) == "null" {
		return nil
	}
	return append(json.RawMessage(nil), v...)
}

// addMessage records a message; s.mu must be held.
func (s *Server) addMessage(m *message) {
	m.seq = len(s.messages) + 1
	s.messages = append(s.messages, m)
	s.messageByID[m.id] = m
	s.notify()
}

// checkMessage validates a create (or edit) payload; it returns a non-zero
// reply when the payload is refused.
func checkMessage(path []string, payload []byte, files int, create bool) (*wireMessage, reply) {
	fe := &formErrors{}
	m, err := parseMessage(payload)
	if err != nil {
		decodeError(fe, path, err)
		return nil, invalidForm(fe)
	}
	validateMessage(fe, path, m)
	if !fe.ok() {
		return nil, invalidForm(fe)
	}
	if create && m.empty(files) {
		return nil, errEmptyMessage
	}
	return m, reply{}
}

func (s *Server) createMessage(c *call) reply {
	ch, found := s.channels[c.r.PathValue("channel")]
	if !found {
		return errUnknownChannel
	}
	m, rep := checkMessage(nil, c.json, len(c.files), true)
	if rep.status != 0 {
		return rep
	}
	if ref := m.Reference; ref != nil && ref.MessageID != "" {
		if target, found := s.messageByID[ref.MessageID]; !found || target.deleted || target.channelID != ch.id {
			return formError([]string{"message_reference"}, "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")
		}
	}
	return ok(s.messageJSON(s.newMessage(KindChannel, ch, c.json, c.files)))
}

// channelMessage finds a message by channel and id.
func (s *Server) channelMessage(c *call) (*message, reply) {
	if _, found := s.channels[c.r.PathValue("channel")]; !found {
		return nil, errUnknownChannel
	}
	m, found := s.messageByID[c.r.PathValue("message")]
	if !found || m.deleted || m.channelID != c.r.PathValue("channel") {
		return nil, errUnknownMessage
	}
	return m, reply{}
}

func (s *Server) getMessage(c *call) reply {
	m, rep := s.channelMessage(c)
	if m == nil {
		return rep
	}
	return ok(s.messageJSON(m))
}

func (s *Server) editMessage(c *call) reply {
	m, rep := s.channelMessage(c)
	if m == nil {
		return rep
	}
	if m.author == nil || m.author.ID != s.bot.ID {
		return errNotAuthor
	}
	if _, rep := checkMessage(nil, c.json, len(c.files), false); rep.status != 0 {
		return rep
	}
	s.edit(m, c.json, c.files)
	return ok(s.messageJSON(m))
}

// edit applies an edit payload; s.mu must be held.
func (s *Server) edit(m *message, payload []byte, files []File) {
	s.applyPayload(m, payload, files, false)
	m.edits++
	m.editedAt = s.now()
	if m.deferred {
		m.deferred = false
		m.visibleAt = m.editedAt
	}
	s.notify()
}

func (s *Server) deleteMessage(c *call) reply {
	m, rep := s.channelMessage(c)
	if m == nil {
		return rep
	}
	m.deleted = true
	s.notify()
	return noContent()
}

// ---- application commands ----

// command is a registered application command.
type command struct {
	id   string
	typ  int
	name string
	obj  map[string]any // the command object as the API returns it
}

// commandScope checks a commands route's application and guild and returns
// the scope ("" for global commands).
func (s *Server) scopeOf(c *call) (string, reply) {
	if c.r.PathValue("app") != s.appID {
		return "", errUnknownApplication
	}
	g := c.r.PathValue("guild")
	if g != "" && g != s.guild.id {
		return "", errMissingAccess
	}
	return g, reply{}
}

func (s *Server) commandsJSON(scope string) []any {
	out := []any{}
	for _, cmd := range s.commands[scope] {
		out = append(out, cmd.obj)
	}
	return out
}

func (s *Server) getCommands(c *call) reply {
	scope, rep := s.scopeOf(c)
	if rep.status != 0 {
		return rep
	}
	return ok(s.commandsJSON(scope))
}

// makeCommand builds the stored form of a validated command object, keeping
// the id of an existing command of the same name and type.
func (s *Server) makeCommand(scope string, w wireCommand, raw json.RawMessage, existing []*command) *command {
	var obj map[string]any
	_ = json.Unmarshal(raw, &obj)
	cmd := &command{typ: w.typ(), name: w.Name, obj: obj}
	for _, old := range existing {
		if old.name == cmd.name && old.typ == cmd.typ {
			cmd.id = old.id
		}
	}
	if cmd.id == "" {
		cmd.id = s.newID()
	}
	obj["id"] = cmd.id
	obj["application_id"] = s.appID
	obj["version"] = s.newID()
	obj["type"] = cmd.typ
	if _, found := obj["description"]; !found {
		obj["description"] = ""
	}
	if _, found := obj["default_member_permissions"]; !found {
		obj["default_member_permissions"] = nil
	}
	if _, found := obj["nsfw"]; !found {
		obj["nsfw"] = false
	}
	if scope != "" {
		obj["guild_id"] = scope
	} else {
		delete(obj, "guild_id")
	}
	return cmd
}

func (s *Server) overwriteCommands(c *call) reply {
	scope, rep := s.scopeOf(c)
	if rep.status != 0 {
		return rep
	}
	var raws []json.RawMessage
	var cmds []wireCommand
	fe := &formErrors{}
	if err := json.Unmarshal(c.json, &raws); err != nil {
		decodeError(fe, nil, err)
		return invalidForm(fe)
	}
	if err := json.Unmarshal(c.json, &cmds); err != nil {
		decodeError(fe, nil, err)
		return invalidForm(fe)
	}
	validateCommands(fe, cmds)
	if !fe.ok() {
		return invalidForm(fe)
	}
	next := make([]*command, len(cmds))
	for i, w := range cmds {
		next[i] = s.makeCommand(scope, w, raws[i], s.commands[scope])
	}
	s.commands[scope] = next
	s.overwrites[scope]++
	s.notify()
	return ok(s.commandsJSON(scope))
}

func (s *Server) createCommand(c *call) reply {
	scope, rep := s.scopeOf(c)
	if rep.status != 0 {
		return rep
	}
	var w wireCommand
	fe := &formErrors{}
	if err := json.Unmarshal(c.json, &w); err != nil {
		decodeError(fe, nil, err)
		return invalidForm(fe)
	}
	validateCommand(fe, nil, w)
	if !fe.ok() {
		return invalidForm(fe)
	}
	cmd := s.makeCommand(scope, w, c.json, s.commands[scope])
	list := s.commands[scope]
	replaced := false
	for i, old := range list {
		if old.id == cmd.id {
			list[i], replaced = cmd, true
		}
	}
	if !replaced {
		list = append(list, cmd)
	}
	s.commands[scope] = list
	s.notify()
	return reply{status: http.StatusCreated, body: cmd.obj}
}

func (s *Server) deleteCommand(c *call) reply {
	scope, rep := s.scopeOf(c)
	if rep.status != 0 {
		return rep
	}
	id := c.r.PathValue("command")
	list := s.commands[scope]
	for i, cmd := range list {
		if cmd.id == id {
			s.commands[scope] = append(list[:i:i], list[i+1:]...)
			s.notify()
			return noContent()
		}
	}
	return errUnknownCommand
}

// ---- interactions ----

// responseTypes are the callback types each interaction type accepts.
var responseTypes = map[discordgo.InteractionType][]int{
	discordgo.InteractionApplicationCommand:             {4, 5, 9},
	discordgo.InteractionMessageComponent:               {4, 5, 6, 7, 9},
	discordgo.InteractionApplicationCommandAutocomplete: {8},
	discordgo.InteractionModalSubmit:                    {4, 5, 6, 7},
}

func (s *Server) interactionCallback(c *call) reply {
	in, found := s.interactions[c.r.PathValue("interaction")]
	if !found || in.token != c.r.PathValue("token") {
		return errUnknownInteraction
	}
	latency := c.at.Sub(in.dispatchedAt)
	late := latency > InteractionDeadline
	if late && s.rejectLate {
		rep := errUnknownInteraction
		rep.why = fmt.Sprintf("callback %v after dispatch, over the %v deadline", latency, InteractionDeadline)
		return rep
	}
	if in.acked {
		return errAlreadyAcked
	}
	var body struct {
		Type int             `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	fe := &formErrors{}
	if err := json.Unmarshal(c.json, &body); err != nil {
		decodeError(fe, nil, err)
		return invalidForm(fe)
	}
	allowed := responseTypes[in.typ]
	valid := false
	for _, t := range allowed {
		valid = valid || t == body.Type
	}
	if !valid {
		return formError([]string{"type"}, "INTERACTION_RESPONSE_TYPE_INVALID",
			fmt.Sprintf("Value must be one of %v for an interaction of type %d.", allowed, in.typ))
	}
	m, err := parseMessage(body.Data)
	if err != nil {
		decodeError(fe, []string{"data"}, err)
		return invalidForm(fe)
	}
	switch body.Type {
	case 4, 7:
		validateMessage(fe, []string{"data"}, m)
		if fe.ok() && body.Type == 4 && m.empty(len(c.files)) {
			return errEmptyMessage
		}
	case 8:
		validateChoices(fe, []string{"data", "choices"}, m.Choices, 0)
	case 9:
		validateModal(fe, []string{"data"}, m)
	}
	if !fe.ok() {
		return invalidForm(fe)
	}

	in.acked = true
	cb := &Callback{
		InteractionID: in.id, Type: discordgo.InteractionResponseType(body.Type),
		Data: nullToNil(body.Data), Latency: latency, Late: late, At: c.at,
	}
	in.callback = cb
	ch := s.channels[in.channelID]
	switch body.Type {
	case 4:
		msg := s.newMessage(KindResponse, ch, body.Data, c.files)
		msg.interactionID, msg.msgType = in.id, discordgo.MessageTypeChatInputCommand
		in.originalID = msg.id
	case 5:
		msg := s.newMessage(KindResponse, ch, body.Data, nil)
		msg.interactionID, msg.msgType = in.id, discordgo.MessageTypeChatInputCommand
		msg.deferred, msg.content, msg.visibleAt = true, "", time.Time{}
		msg.flags |= 1 << 7 // LOADING
		in.originalID = msg.id
	case 7:
		if msg, found := s.messageByID[in.originalID]; found {
			s.edit(msg, body.Data, c.files)
		}
	case 8:
		var d struct {
			Choices []*discordgo.ApplicationCommandOptionChoice `json:"choices"`
		}
		_ = json.Unmarshal(body.Data, &d)
		cb.Choices = d.Choices
	}
	s.notify()
	return noContent()
}

// webhookInteraction finds the interaction of a webhook route's token.
func (s *Server) webhookInteraction(c *call) (*interaction, reply) {
	if c.r.PathValue("app") != s.appID {
		return nil, errUnknownWebhook
	}
	token := c.r.PathValue("token")
	for _, in := range s.interactions {
		if in.token != token {
			continue
		}
		if c.at.Sub(in.dispatchedAt) > InteractionTokenLifetime {
			rep := errInvalidToken
			rep.why = fmt.Sprintf("interaction token is %v old, over its %v lifetime", c.at.Sub(in.dispatchedAt), InteractionTokenLifetime)
			return nil, rep
		}
		if !in.acked {
			rep := errUnknownWebhook
			rep.why = "the interaction has not been responded to yet"
			return nil, rep
		}
		return in, reply{}
	}
	return nil, errUnknownWebhook
}

func (s *Server) createFollowup(c *call) reply {
	in, rep := s.webhookInteraction(c)
	if in == nil {
		return rep
	}
	if _, rep := checkMessage(nil, c.json, len(c.files), true); rep.status != 0 {
		return rep
	}
	msg := s.newMessage(KindFollowup, s.channels[in.channelID], c.json, c.files)
	msg.interactionID = in.id
	in.followups = append(in.followups, msg.id)
	return ok(s.messageJSON(msg))
}

// webhookMessage answers GET, PATCH and DELETE of @original or a follow-up.
func (s *Server) webhookMessage(c *call) reply {
	in, rep := s.webhookInteraction(c)
	if in == nil {
		return rep
	}
	id := c.r.PathValue("message")
	if id == "@original" {
		id = in.originalID
	} else if id != in.originalID && !contains(in.followups, id) {
		return errUnknownMessage
	}
	m, found := s.messageByID[id]
	if id == "" || !found || m.deleted {
		return errUnknownMessage
	}
	switch c.r.Method {
	case http.MethodGet:
		return ok(s.messageJSON(m))
	case http.MethodDelete:
		m.deleted = true
		s.notify()
		return noContent()
	}
	if _, rep := checkMessage(nil, c.json, len(c.files), false); rep.status != 0 {
		return rep
	}
	s.edit(m, c.json, c.files)
	return ok(s.messageJSON(m))
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
