package discordtest

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"
)

// From says who acts and where, for the event helpers. Its zero value is the
// default user in the guild's default channel, with @everyone's permissions,
// in locale en-US.
type From struct {
	// User is the author; nil means Server.User(). A user the server does not
	// know yet is registered (it needs an ID).
	User *discordgo.User
	// ChannelID is a guild text channel; "" means Server.ChannelID(). Ignored
	// for direct messages and button clicks, which happen where their message is.
	ChannelID string
	// DM makes a slash command or autocomplete happen in the user's direct
	// messages with the bot instead of the guild.
	DM bool
	// Permissions, when not 0, are the member's permissions in the guild
	// (e.g. discordgo.PermissionManageGuild): the member is given a role with
	// exactly these, besides @everyone and Roles.
	Permissions int64
	// Roles are ids of guild roles (from AddRole) the member has.
	Roles []string
	// Locale is the user's client locale; "" means en-US.
	Locale discordgo.Locale
}

// Slash describes a slash command invocation, for SlashCommand and Autocomplete.
type Slash struct {
	Name    string
	Options []*discordgo.ApplicationCommandInteractionDataOption
	// Focused names the option being typed, for Autocomplete; "" focuses the
	// last option (searched inside sub-commands too).
	Focused string
	From
}

// Click describes a click on a message button, for Button.
type Click struct {
	CustomID string
	// MessageID is the bot message that carries the button; "" means the
	// latest bot message with a component of that custom_id.
	MessageID string
	From
}

// Msg describes a message a user writes, for DirectMessage, Mention and GuildMessage.
type Msg struct {
	Content string
	From
}

// Option constructors for Slash.Options. Values take the JSON types Discord
// sends, so discordgo's StringValue, IntValue, … work on what the bot receives.

// StringOption is a string option (type 3).
func StringOption(name, value string) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionString, Value: value}
}

// IntegerOption is an integer option (type 4).
func IntegerOption(name string, value int64) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionInteger, Value: value}
}

// NumberOption is a number option (type 10).
func NumberOption(name string, value float64) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionNumber, Value: value}
}

// BooleanOption is a boolean option (type 5).
func BooleanOption(name string, value bool) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionBoolean, Value: value}
}

// UserOption is a user option (type 6) naming a user id.
func UserOption(name, userID string) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionUser, Value: userID}
}

// ChannelOption is a channel option (type 7) naming a channel id.
func ChannelOption(name, channelID string) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionChannel, Value: channelID}
}

// RoleOption is a role option (type 8) naming a role id.
func RoleOption(name, roleID string) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionRole, Value: roleID}
}

// SubCommand is a sub-command (type 1) with its options.
func SubCommand(name string, options ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionSubCommand, Options: options}
}

// SubCommandGroup is a sub-command group (type 2) with its sub-commands.
func SubCommandGroup(name string, subs ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionSubCommandGroup, Options: subs}
}

// interaction is the server's record of a dispatched interaction.
type interaction struct {
	id, token    string
	typ          discordgo.InteractionType
	channelID    string
	guildID      string
	userID       string
	messageID    string // component interactions: the message the component is on
	dispatchedAt time.Time
	acked        bool
	callback     *Callback
	originalID   string   // the message @original refers to
	followups    []string // follow-up message ids
}

// SlashCommand dispatches an INTERACTION_CREATE for a slash command and
// returns the interaction as discordgo decodes it. It fails the test if no
// gateway session is identified in time or the options are malformed.
func (s *Server) SlashCommand(c Slash) *discordgo.Interaction {
	if s.t != nil {
		s.t.Helper()
	}
	return s.command(c, discordgo.InteractionApplicationCommand)
}

// Autocomplete dispatches an autocomplete INTERACTION_CREATE (type 4) for a
// slash command whose option Focused (default: the last) is being typed.
func (s *Server) Autocomplete(c Slash) *discordgo.Interaction {
	if s.t != nil {
		s.t.Helper()
	}
	if len(c.Options) == 0 {
		s.fatalf("discordtest: Autocomplete(%q) needs an option to focus", c.Name)
	}
	opts := cloneOptions(c.Options)
	if !focus(opts, c.Focused) {
		s.fatalf("discordtest: Autocomplete(%q): no option %q to focus", c.Name, c.Focused)
	}
	c.Options = opts
	return s.command(c, discordgo.InteractionApplicationCommandAutocomplete)
}

func (s *Server) command(c Slash, typ discordgo.InteractionType) *discordgo.Interaction {
	if s.t != nil {
		s.t.Helper()
	}
	if err := checkOptions(c.Options); err != nil {
		s.fatalf("discordtest: slash command %q: %v", c.Name, err)
	}
	if err := s.waitSession(); err != nil {
		s.fatalf("%v", err)
	}
	s.mu.Lock()
	p, err := s.resolve(c.From, c.DM)
	if err != nil {
		s.mu.Unlock()
		s.fatalf("discordtest: slash command %q: %v", c.Name, err)
	}
	data := map[string]any{"id": s.commandID(c.Name, p.guildID), "name": c.Name, "type": discordgo.ChatApplicationCommand}
	if len(c.Options) > 0 {
		data["options"] = c.Options
		if r := s.resolved(c.Options, p.guildID); r != nil {
			data["resolved"] = r
		}
	}
	if scope := s.commandScope(c.Name, p.guildID); scope != "" {
		data["guild_id"] = scope
	}
	in, err := s.dispatchInteraction(typ, p, data, nil)
	s.mu.Unlock()
	if err != nil {
		s.fatalf("discordtest: slash command %q: %v", c.Name, err)
	}
	return in
}

// Button dispatches a component INTERACTION_CREATE (type 3) for a click on
// the button custom_id of a bot message. It fails the test if no such message exists.
func (s *Server) Button(c Click) *discordgo.Interaction {
	if s.t != nil {
		s.t.Helper()
	}
	if err := s.waitSession(); err != nil {
		s.fatalf("%v", err)
	}
	s.mu.Lock()
	m := s.findComponentMessage(c.MessageID, c.CustomID)
	if m == nil {
		s.mu.Unlock()
		s.fatalf("discordtest: Button(%q): no bot message has a component with that custom_id", c.CustomID)
		return nil
	}
	from := c.From
	ch := s.channels[m.channelID]
	from.ChannelID = ch.id
	p, err := s.resolve(from, ch.guildID == "")
	if err != nil {
		s.mu.Unlock()
		s.fatalf("discordtest: Button(%q): %v", c.CustomID, err)
	}
	p.ch = ch
	data := map[string]any{"custom_id": c.CustomID, "component_type": discordgo.ButtonComponent}
	in, err := s.dispatchInteraction(discordgo.InteractionMessageComponent, p, data, m)
	s.mu.Unlock()
	if err != nil {
		s.fatalf("discordtest: Button(%q): %v", c.CustomID, err)
	}
	return in
}

// DirectMessage dispatches a MESSAGE_CREATE of a user writing to the bot in
// their direct messages, and returns the message as discordgo decodes it.
func (s *Server) DirectMessage(m Msg) *discordgo.Message {
	if s.t != nil {
		s.t.Helper()
	}
	return s.userMessage(m, true, false)
}

// Mention dispatches a MESSAGE_CREATE of a user writing in a guild channel
// "<@BOT_ID> " followed by Content, mentioning the bot.
func (s *Server) Mention(m Msg) *discordgo.Message {
	if s.t != nil {
		s.t.Helper()
	}
	return s.userMessage(m, false, true)
}

// GuildMessage dispatches a MESSAGE_CREATE of a user writing Content in a
// guild channel without mentioning the bot (its content reaches the bot only
// with the MessageContent intent).
func (s *Server) GuildMessage(m Msg) *discordgo.Message {
	if s.t != nil {
		s.t.Helper()
	}
	return s.userMessage(m, false, false)
}

func (s *Server) userMessage(in Msg, dm, mention bool) *discordgo.Message {
	if s.t != nil {
		s.t.Helper()
	}
	if err := s.waitSession(); err != nil {
		s.fatalf("%v", err)
	}
	s.mu.Lock()
	p, err := s.resolve(in.From, dm)
	if err != nil {
		s.mu.Unlock()
		s.fatalf("discordtest: message: %v", err)
	}
	content := in.Content
	var mentions []string
	if mention {
		content = "<@" + s.bot.ID + "> " + content
		mentions = []string{s.bot.ID}
	}
	m := &message{
		id: s.newID(), channelID: p.ch.id, guildID: p.guildID, author: p.user, kind: KindUser,
		content: content, mentions: mentions, createdAt: s.now(),
	}
	m.visibleAt = m.createdAt
	s.addMessage(m)
	payload := s.messageJSON(m)
	payload["nonce"] = m.id
	if p.guildID != "" {
		payload["member"] = s.memberJSON(p.user.ID, false, false)
	}
	raw, err := json.Marshal(payload)
	if err == nil && s.dispatchAll("MESSAGE_CREATE", raw) == 0 {
		err = fmt.Errorf("no session can receive it")
	}
	s.mu.Unlock()
	if err != nil {
		s.fatalf("discordtest: MESSAGE_CREATE: %v", err)
	}
	var out discordgo.Message
	if err := json.Unmarshal(raw, &out); err != nil {
		s.fatalf("discordtest: MESSAGE_CREATE does not decode in discordgo: %v", err)
	}
	return &out
}

// place is a resolved From.
type place struct {
	user    *discordgo.User
	ch      *channel
	guildID string
	locale  discordgo.Locale
}

// resolve turns a From into a place, registering the user and setting their
// member roles; s.mu must be held.
func (s *Server) resolve(f From, dm bool) (place, error) {
	u := s.user
	if f.User != nil {
		if f.User.ID == "" {
			return place{}, fmt.Errorf("From.User has no ID")
		}
		if known, ok := s.users[f.User.ID]; ok {
			u = known
		} else {
			c := *f.User
			if c.Discriminator == "" {
				c.Discriminator = "0"
			}
			u = &c
			s.users[u.ID] = u
		}
	}
	p := place{user: u, locale: f.Locale}
	if p.locale == "" {
		p.locale = discordgo.EnglishUS
	}
	if dm {
		p.ch = s.channels[s.dmChannel(u.ID)]
		return p, nil
	}
	id := f.ChannelID
	if id == "" {
		id = s.general
	}
	ch, ok := s.channels[id]
	if !ok || ch.guildID == "" {
		return place{}, fmt.Errorf("channel %q is not a guild channel of the server", id)
	}
	p.ch, p.guildID = ch, ch.guildID
	mem, ok := s.guild.members[u.ID]
	if !ok {
		mem = &member{userID: u.ID, joinedAt: s.now()}
		s.guild.members[u.ID] = mem
	}
	roles := []string{}
	for _, r := range f.Roles {
		if s.role(r) == nil {
			return place{}, fmt.Errorf("unknown role %q", r)
		}
		roles = append(roles, r)
	}
	if f.Permissions != 0 {
		roles = append(roles, s.permissionRole(f.Permissions))
	}
	if u.ID != s.bot.ID {
		mem.roles = roles
	}
	return p, nil
}

func (s *Server) role(id string) *role {
	for _, r := range s.guild.roles {
		if r.id == id {
			return r
		}
	}
	return nil
}

// permissionRole returns a role with exactly perms, creating it; s.mu must be held.
func (s *Server) permissionRole(perms int64) string {
	name := "permissions-" + strconv.FormatInt(perms, 10)
	for _, r := range s.guild.roles {
		if r.name == name {
			return r.id
		}
	}
	r := &role{id: s.newID(), name: name, perms: perms, position: len(s.guild.roles)}
	s.guild.roles = append(s.guild.roles, r)
	return r.id
}

// memberPermissions computes a guild member's permissions as Discord does
// without channel overwrites; s.mu must be held.
func (s *Server) memberPermissions(userID string) int64 {
	if userID == s.guild.ownerID {
		return discordgo.PermissionAll
	}
	perms := s.guild.roles[0].perms // @everyone
	if m, ok := s.guild.members[userID]; ok {
		for _, id := range m.roles {
			if r := s.role(id); r != nil {
				perms |= r.perms
			}
		}
	}
	if perms&discordgo.PermissionAdministrator != 0 {
		perms = discordgo.PermissionAll
	}
	return perms
}

// commandID finds the id of a registered command (guild first, then
// global), or makes one up; s.mu must be held.
func (s *Server) commandID(name, guildID string) string {
	for _, scope := range []string{guildID, ""} {
		for _, c := range s.commands[scope] {
			if c.name == name && c.typ == 1 {
				return c.id
			}
		}
	}
	return s.newID()
}

// commandScope returns the guild id when name is a guild command there.
func (s *Server) commandScope(name, guildID string) string {
	if guildID == "" {
		return ""
	}
	for _, c := range s.commands[guildID] {
		if c.name == name {
			return guildID
		}
	}
	return ""
}

// findComponentMessage returns the bot message with a component custom_id;
// s.mu must be held.
func (s *Server) findComponentMessage(messageID, customID string) *message {
	for i := len(s.messages) - 1; i >= 0; i-- {
		m := s.messages[i]
		if m.deleted || m.kind == KindUser || (messageID != "" && m.id != messageID) {
			continue
		}
		if hasCustomID(m.components, customID) {
			return m
		}
	}
	return nil
}

func hasCustomID(raw json.RawMessage, id string) bool {
	var comps []wireComponent
	if len(raw) == 0 || json.Unmarshal(raw, &comps) != nil {
		return false
	}
	var walk func([]wireComponent) bool
	walk = func(cs []wireComponent) bool {
		for _, c := range cs {
			if c.CustomID != nil && *c.CustomID == id {
				return true
			}
			if walk(c.Components) || (c.Accessory != nil && walk([]wireComponent{*c.Accessory})) {
				return true
			}
		}
		return false
	}
	return walk(comps)
}

// dispatchInteraction records and dispatches an INTERACTION_CREATE; s.mu must be held.
func (s *Server) dispatchInteraction(typ discordgo.InteractionType, p place, data map[string]any, on *message) (*discordgo.Interaction, error) {
	in := &interaction{
		id: s.newID(), typ: typ, channelID: p.ch.id, guildID: p.guildID, userID: p.user.ID,
	}
	in.token = randomToken("aW50ZXJhY3Rpb246" + in.id)
	payload := map[string]any{
		"id": in.id, "application_id": s.appID, "type": typ, "token": in.token, "version": 1,
		"channel_id": p.ch.id, "channel": s.channelJSON(p.ch, false), "locale": p.locale,
		"entitlements": []any{}, "data": data,
	}
	if p.guildID != "" {
		payload["guild_id"] = p.guildID
		payload["guild_locale"] = s.guild.locale
		payload["member"] = s.memberJSON(p.user.ID, true, true)
		payload["app_permissions"] = strconv.FormatInt(s.memberPermissions(s.bot.ID), 10)
		payload["context"] = discordgo.InteractionContextGuild
		payload["authorizing_integration_owners"] = map[string]string{"0": p.guildID}
	} else {
		payload["user"] = s.userJSON(p.user)
		payload["app_permissions"] = strconv.FormatInt(dmPermissions, 10)
		payload["context"] = discordgo.InteractionContextBotDM
		payload["authorizing_integration_owners"] = map[string]string{"0": "0"}
	}
	if on != nil {
		payload["message"] = s.messageJSON(on)
		in.messageID = on.id
		in.originalID = on.id
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		return nil, err
	}
	var out discordgo.Interaction
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("INTERACTION_CREATE does not decode in discordgo: %w", err)
	}
	in.dispatchedAt = s.now()
	s.interactions[in.id] = in
	if s.dispatchAll("INTERACTION_CREATE", raw) == 0 {
		return nil, fmt.Errorf("no session can receive it")
	}
	return &out, nil
}

// resolved builds the resolved object for user, channel and role options.
func (s *Server) resolved(opts []*discordgo.ApplicationCommandInteractionDataOption, guildID string) map[string]any {
	users, members, channels, roles, attachments := map[string]any{}, map[string]any{}, map[string]any{}, map[string]any{}, map[string]any{}
	var walk func([]*discordgo.ApplicationCommandInteractionDataOption)
	walk = func(os []*discordgo.ApplicationCommandInteractionDataOption) {
		for _, o := range os {
			id, _ := o.Value.(string)
			switch o.Type {
			case discordgo.ApplicationCommandOptionUser, discordgo.ApplicationCommandOptionMentionable:
				if u, ok := s.users[id]; ok {
					users[id] = s.userJSON(u)
					if _, ok := s.guild.members[id]; ok && guildID != "" {
						members[id] = s.memberJSON(id, false, true)
					}
				}
				if r := s.role(id); r != nil && o.Type == discordgo.ApplicationCommandOptionMentionable {
					roles[id] = roleJSON(r)
				}
			case discordgo.ApplicationCommandOptionChannel:
				if c, ok := s.channels[id]; ok {
					j := s.channelJSON(c, false)
					j["permissions"] = strconv.FormatInt(s.memberPermissions(s.user.ID), 10)
					channels[id] = j
				}
			case discordgo.ApplicationCommandOptionRole:
				if r := s.role(id); r != nil {
					roles[id] = roleJSON(r)
				}
			case discordgo.ApplicationCommandOptionAttachment:
				if a, ok := s.attachmentJSON(id); ok {
					attachments[id] = a
				}
			}
			walk(o.Options)
		}
	}
	walk(opts)
	out := map[string]any{}
	for k, v := range map[string]map[string]any{"users": users, "members": members, "channels": channels, "roles": roles, "attachments": attachments} {
		if len(v) > 0 {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// checkOptions rejects option values whose JSON type does not fit the
// option's type (discordgo's StringValue and friends would panic on them).
func checkOptions(opts []*discordgo.ApplicationCommandInteractionDataOption) error {
	for _, o := range opts {
		if o == nil {
			return fmt.Errorf("nil option")
		}
		if o.Name == "" {
			return fmt.Errorf("option without a name")
		}
		ok := true
		switch o.Type {
		case discordgo.ApplicationCommandOptionSubCommand, discordgo.ApplicationCommandOptionSubCommandGroup:
			ok = o.Value == nil
			if err := checkOptions(o.Options); err != nil {
				return err
			}
		case discordgo.ApplicationCommandOptionString, discordgo.ApplicationCommandOptionUser,
			discordgo.ApplicationCommandOptionChannel, discordgo.ApplicationCommandOptionRole,
			discordgo.ApplicationCommandOptionMentionable, discordgo.ApplicationCommandOptionAttachment:
			_, ok = o.Value.(string)
		case discordgo.ApplicationCommandOptionInteger:
			switch v := o.Value.(type) {
			case int, int32, int64:
			case float64:
				ok = v == float64(int64(v))
			default:
				ok = o.Focused // autocomplete sends what was typed
			}
		case discordgo.ApplicationCommandOptionNumber:
			switch o.Value.(type) {
			case int, int32, int64, float32, float64:
			default:
				ok = o.Focused
			}
		case discordgo.ApplicationCommandOptionBoolean:
			_, ok = o.Value.(bool)
		default:
			return fmt.Errorf("option %q has unknown type %d", o.Name, o.Type)
		}
		if !ok {
			return fmt.Errorf("option %q of type %v has value %#v", o.Name, o.Type, o.Value)
		}
	}
	return nil
}

func cloneOptions(opts []*discordgo.ApplicationCommandInteractionDataOption) []*discordgo.ApplicationCommandInteractionDataOption {
	out := make([]*discordgo.ApplicationCommandInteractionDataOption, len(opts))
	for i, o := range opts {
		c := *o
		c.Options = cloneOptions(o.Options)
		out[i] = &c
	}
	return out
}

// focus marks the option named name (or the last leaf option) as focused.
func focus(opts []*discordgo.ApplicationCommandInteractionDataOption, name string) bool {
	if name == "" {
		for len(opts) > 0 {
			last := opts[len(opts)-1]
			if last.Type != discordgo.ApplicationCommandOptionSubCommand && last.Type != discordgo.ApplicationCommandOptionSubCommandGroup {
				last.Focused = true
				return true
			}
			opts = last.Options
		}
		return false
	}
	for _, o := range opts {
		if o.Type == discordgo.ApplicationCommandOptionSubCommand || o.Type == discordgo.ApplicationCommandOptionSubCommandGroup {
			if focus(o.Options, name) {
				return true
			}
			continue
		}
		if o.Name == name {
			o.Focused = true
			return true
		}
	}
	return false
}

// ---- JSON shapes, as Discord sends them ----

// timestamp formats t as Discord does (RFC 3339 with microseconds).
func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000+00:00") }

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (s *Server) userJSON(u *discordgo.User) map[string]any {
	d := u.Discriminator
	if d == "" {
		d = "0"
	}
	out := map[string]any{
		"id": u.ID, "username": u.Username, "discriminator": d, "global_name": nilIfEmpty(u.GlobalName),
		"avatar": nilIfEmpty(u.Avatar), "public_flags": 0,
	}
	if u.Bot {
		out["bot"] = true
	}
	return out
}

// memberJSON is a guild member; withPermissions adds the permissions string
// interactions carry. s.mu must be held.
func (s *Server) memberJSON(userID string, withUser, withPermissions bool) map[string]any {
	m, ok := s.guild.members[userID]
	if !ok {
		m = &member{userID: userID, joinedAt: s.now()}
	}
	roles := append([]string{}, m.roles...)
	out := map[string]any{
		"roles": roles, "joined_at": timestamp(m.joinedAt), "nick": nil, "avatar": nil,
		"premium_since": nil, "deaf": false, "mute": false, "flags": 0, "pending": false,
		"communication_disabled_until": nil,
	}
	if withUser {
		if u, ok := s.users[userID]; ok {
			out["user"] = s.userJSON(u)
		}
	}
	if withPermissions {
		out["permissions"] = strconv.FormatInt(s.memberPermissions(userID), 10)
	}
	return out
}

func roleJSON(r *role) map[string]any {
	return map[string]any{
		"id": r.id, "name": r.name, "color": 0, "hoist": false, "icon": nil, "unicode_emoji": nil,
		"position": r.position, "permissions": strconv.FormatInt(r.perms, 10), "managed": false,
		"mentionable": false, "flags": 0,
	}
}

// channelJSON is a channel object; s.mu must be held.
func (s *Server) channelJSON(c *channel, full bool) map[string]any {
	out := map[string]any{"id": c.id, "type": c.typ, "flags": 0, "last_message_id": nil}
	if c.typ == discordgo.ChannelTypeDM {
		var recipients []any
		if u, ok := s.users[c.recipient]; ok {
			recipients = append(recipients, s.userJSON(u))
		}
		out["recipients"] = recipients
		return out
	}
	out["guild_id"] = c.guildID
	out["name"] = c.name
	out["nsfw"] = false
	out["parent_id"] = nil
	out["topic"] = nil
	out["rate_limit_per_user"] = 0
	if full {
		out["permission_overwrites"] = []any{}
		pos := 0
		for i, id := range s.chanOrder {
			if id == c.id {
				pos = i
			}
		}
		out["position"] = pos
	}
	return out
}

// messageJSON is a message object as REST returns it; s.mu must be held.
func (s *Server) messageJSON(m *message) map[string]any {
	mentions := []any{}
	for _, id := range m.mentions {
		if u, ok := s.users[id]; ok {
			mentions = append(mentions, s.userJSON(u))
		}
	}
	embeds := json.RawMessage("[]")
	if len(m.embeds) > 0 && string(m.embeds) != "null" {
		embeds = m.embeds
	}
	components := json.RawMessage("[]")
	if len(m.components) > 0 && string(m.components) != "null" {
		components = m.components
	}
	attachments := []any{}
	for _, f := range m.files {
		id := m.id + strconv.Itoa(len(attachments))
		attachments = append(attachments, map[string]any{
			"id": id, "filename": f.Name, "size": len(f.Data), "content_type": f.ContentType,
			"url":       s.base + "/attachments/" + m.channelID + "/" + id + "/" + f.Name,
			"proxy_url": s.base + "/attachments/" + m.channelID + "/" + id + "/" + f.Name,
		})
	}
	var edited any
	if !m.editedAt.IsZero() {
		edited = timestamp(m.editedAt)
	}
	author := m.author
	if author == nil {
		author = s.bot
	}
	out := map[string]any{
		"id": m.id, "channel_id": m.channelID, "author": s.userJSON(author), "content": m.content,
		"timestamp": timestamp(m.createdAt), "edited_timestamp": edited, "tts": false,
		"mention_everyone": false, "mentions": mentions, "mention_roles": []any{},
		"attachments": attachments, "embeds": embeds, "components": components,
		"pinned": false, "type": m.msgType, "flags": m.flags,
	}
	if m.guildID != "" {
		out["guild_id"] = m.guildID
	}
	if m.kind == KindResponse || m.kind == KindFollowup {
		out["webhook_id"] = s.appID
		out["application_id"] = s.appID
		if in, ok := s.interactions[m.interactionID]; ok {
			out["interaction_metadata"] = map[string]any{
				"id": in.id, "type": in.typ, "user": s.userJSON(s.users[in.userID]),
				"authorizing_integration_owners": map[string]string{},
			}
		}
	}
	if len(m.reference) > 0 && string(m.reference) != "null" {
		out["message_reference"] = m.reference
	}
	return out
}

// readyPayload is READY's data for a session; s.mu must be held.
func (s *Server) readyPayload(sess *session) json.RawMessage {
	user := s.userJSON(s.bot)
	user["verified"] = true
	user["mfa_enabled"] = false
	user["flags"] = 0
	user["email"] = nil
	b, _ := json.Marshal(map[string]any{
		"v": 9, "user": user, "session_id": sess.id, "session_type": "normal",
		"resume_gateway_url": s.GatewayURL(), "shard": []int{0, 1},
		"guilds":           []any{map[string]any{"id": s.guild.id, "unavailable": true}},
		"application":      map[string]any{"id": s.appID, "flags": 0},
		"private_channels": []any{}, "relationships": []any{}, "presences": []any{},
		"guild_join_requests": []any{}, "geo_ordered_rtc_regions": []any{},
		"user_settings": map[string]any{}, "_trace": []string{"discordtest"},
	})
	return b
}

// guildCreatePayload is GUILD_CREATE's data for the guild; s.mu must be held.
func (s *Server) guildCreatePayload() json.RawMessage {
	g := s.guild
	roles := []any{}
	for _, r := range g.roles {
		roles = append(roles, roleJSON(r))
	}
	channels := []any{}
	for _, id := range s.chanOrder {
		if c := s.channels[id]; c.guildID == g.id {
			j := s.channelJSON(c, true)
			delete(j, "guild_id") // Discord omits it inside GUILD_CREATE
			channels = append(channels, j)
		}
	}
	b, _ := json.Marshal(map[string]any{
		"id": g.id, "name": g.name, "icon": nil, "splash": nil, "discovery_splash": nil,
		"owner_id": g.ownerID, "afk_channel_id": nil, "afk_timeout": 300, "verification_level": 0,
		"default_message_notifications": 0, "explicit_content_filter": 0, "mfa_level": 0,
		"application_id": nil, "system_channel_id": nil, "system_channel_flags": 0,
		"rules_channel_id": nil, "public_updates_channel_id": nil, "vanity_url_code": nil,
		"description": nil, "banner": nil, "premium_tier": 0, "premium_subscription_count": 0,
		"preferred_locale": g.locale, "nsfw_level": 0, "features": []any{},
		"joined_at": timestamp(g.members[s.bot.ID].joinedAt), "large": false, "unavailable": false,
		"member_count": len(g.members), "roles": roles, "channels": channels, "threads": []any{},
		"members": []any{s.memberJSON(s.bot.ID, true, false)}, "voice_states": []any{},
		"presences": []any{}, "emojis": []any{}, "stickers": []any{}, "stage_instances": []any{},
		"guild_scheduled_events": []any{},
	})
	return b
}

// guildJSON is the guild object GET /guilds/{id} returns; s.mu must be held.
func (s *Server) guildJSON() map[string]any {
	g := s.guild
	roles := []any{}
	for _, r := range g.roles {
		roles = append(roles, roleJSON(r))
	}
	return map[string]any{
		"id": g.id, "name": g.name, "icon": nil, "owner_id": g.ownerID, "roles": roles,
		"emojis": []any{}, "stickers": []any{}, "features": []any{}, "preferred_locale": g.locale,
		"verification_level": 0, "default_message_notifications": 0, "explicit_content_filter": 0,
		"mfa_level": 0, "premium_tier": 0, "nsfw_level": 0, "afk_timeout": 300,
		"system_channel_flags": 0, "afk_channel_id": nil, "system_channel_id": nil,
	}
}
