package discordtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Discord's limits. Lengths are counted in Unicode code points: Discord's API
// counts characters that way (discord/discord-api-docs#1315: "the API
// calculates length based on the number of codepoints in the string").
const (
	MaxContent          = 2000
	MaxEmbeds           = 10
	MaxEmbedTitle       = 256
	MaxEmbedDescription = 4096
	MaxEmbedFields      = 25
	MaxFieldName        = 256
	MaxFieldValue       = 1024
	MaxFooterText       = 2048
	MaxAuthorName       = 256
	MaxEmbedTotal       = 6000
	MaxActionRows       = 5
	MaxRowButtons       = 5
	MaxButtonLabel      = 80
	MaxCustomID         = 100
	MaxSelectOptions    = 25
	MaxCommandName      = 32
	MaxDescription      = 100
	MaxOptions          = 25
	MaxChoices          = 25
	MaxChoiceName       = 100
	MaxChoiceValue      = 100
	MaxStringOption     = 6000
	MaxCommandTotal     = 4000
	MaxChatCommands     = 100
	MaxContextCommands  = 5
)

// commandName is Discord's rule for CHAT_INPUT command and option names
// (they must also be lower case).
var commandName = regexp.MustCompile(`^[-_'\p{L}\p{N}\p{Devanagari}\p{Thai}]{1,32}$`)

// locales are the locales Discord accepts as localization keys.
var locales = map[string]bool{}

func init() {
	for _, l := range strings.Fields("id da de en-GB en-US es-ES es-419 fr hr it lt hu nl no pl pt-BR ro fi sv-SE vi tr cs el bg ru uk hi th zh-CN ja zh-TW ko") {
		locales[l] = true
	}
}

// formErrors collects errors in Discord's nested error shape:
// {"embeds":{"0":{"title":{"_errors":[{"code":…,"message":…}]}}}}.
type formErrors struct {
	root  map[string]any
	flat  []string // "embeds.0.title: message", for logs
	count int
}

func (e *formErrors) add(path []string, code, msg string) {
	if e.root == nil {
		e.root = map[string]any{}
	}
	node := e.root
	for _, p := range path {
		next, ok := node[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			node[p] = next
		}
		node = next
	}
	list, _ := node["_errors"].([]any)
	node["_errors"] = append(list, map[string]any{"code": code, "message": msg})
	e.flat = append(e.flat, strings.Join(path, ".")+": "+msg)
	e.count++
}

func (e *formErrors) ok() bool { return e.count == 0 }

func (e *formErrors) String() string { return strings.Join(e.flat, "; ") }

// at returns path extended by more; it never aliases path.
func at(path []string, more ...string) []string {
	out := make([]string, 0, len(path)+len(more))
	return append(append(out, path...), more...)
}

func idx(i int) string { return strconv.Itoa(i) }

func runes(s string) int { return utf8.RuneCountInString(s) }

func (e *formErrors) maxLen(path []string, s string, max int) {
	if runes(s) > max {
		e.add(path, "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", max))
	}
}

func (e *formErrors) between(path []string, s string, min, max int) {
	if n := runes(s); n < min || n > max {
		e.add(path, "BASE_TYPE_BAD_LENGTH", fmt.Sprintf("Must be between %d and %d in length.", min, max))
	}
}

func (e *formErrors) required(path []string) {
	e.add(path, "BASE_TYPE_REQUIRED", "This field is required")
}

func (e *formErrors) maxItems(path []string, n, max int) {
	if n > max {
		e.add(path, "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", max))
	}
}

// decodeError turns a JSON decoding error into a form error at the field it names.
func decodeError(e *formErrors, path []string, err error) {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		e.add(at(path, strings.Split(te.Field, ".")...), "BASE_TYPE_INVALID", fmt.Sprintf("Value %s is not valid for this field.", te.Value))
		return
	}
	e.add(path, "BASE_TYPE_INVALID", "Invalid Form Body: "+err.Error())
}

// ---- messages ----

type wireMessage struct {
	Content         *string           `json:"content"`
	Embeds          []wireEmbed       `json:"embeds"`
	Components      []wireComponent   `json:"components"`
	AllowedMentions *wireAllowed      `json:"allowed_mentions"`
	Flags           int64             `json:"flags"`
	Attachments     []json.RawMessage `json:"attachments"`
	StickerIDs      []string          `json:"sticker_ids"`
	Poll            json.RawMessage   `json:"poll"`
	Reference       *wireReference    `json:"message_reference"`
	Choices         []wireChoice      `json:"choices"`   // autocomplete results
	CustomID        *string           `json:"custom_id"` // modals
	Title           *string           `json:"title"`     // modals
}

type wireReference struct {
	MessageID string `json:"message_id"`
	ChannelID string `json:"channel_id"`
}

type wireEmbed struct {
	Title       string      `json:"title"`
	Description string      `json:"description"`
	URL         string      `json:"url"`
	Timestamp   string      `json:"timestamp"`
	Color       *float64    `json:"color"`
	Footer      *wireFooter `json:"footer"`
	Author      *wireAuthor `json:"author"`
	Fields      []wireField `json:"fields"`
}

type wireFooter struct {
	Text *string `json:"text"`
}

type wireAuthor struct {
	Name *string `json:"name"`
}

type wireField struct {
	Name  *string `json:"name"`
	Value *string `json:"value"`
}

type wireAllowed struct {
	Parse []string `json:"parse"`
	Users []string `json:"users"`
	Roles []string `json:"roles"`
}

type wireComponent struct {
	Type        int               `json:"type"`
	CustomID    *string           `json:"custom_id"`
	Label       *string           `json:"label"`
	Style       int               `json:"style"`
	URL         string            `json:"url"`
	SKUID       string            `json:"sku_id"`
	Placeholder string            `json:"placeholder"`
	Options     []json.RawMessage `json:"options"`
	Components  []wireComponent   `json:"components"`
	Accessory   *wireComponent    `json:"accessory"`
}

// parseMessage decodes a message payload; an absent or null one is empty.
func parseMessage(data []byte) (*wireMessage, error) {
	var m wireMessage
	if len(data) == 0 || string(data) == "null" {
		return &m, nil
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// empty reports whether a new message would have nothing to show.
func (m *wireMessage) empty(files int) bool {
	return (m.Content == nil || strings.TrimSpace(*m.Content) == "") && len(m.Embeds) == 0 &&
		len(m.Components) == 0 && files == 0 && len(m.Attachments) == 0 && len(m.StickerIDs) == 0 &&
		(len(m.Poll) == 0 || string(m.Poll) == "null")
}

const flagComponentsV2 = 1 << 15

// validateMessage checks a message payload (create or edit) against Discord's limits.
func validateMessage(e *formErrors, path []string, m *wireMessage) {
	if m.Content != nil {
		e.maxLen(at(path, "content"), *m.Content, MaxContent)
	}
	e.maxItems(at(path, "embeds"), len(m.Embeds), MaxEmbeds)
	total := 0
	for i, em := range m.Embeds {
		p := at(path, "embeds", idx(i))
		e.maxLen(at(p, "title"), em.Title, MaxEmbedTitle)
		e.maxLen(at(p, "description"), em.Description, MaxEmbedDescription)
		total += runes(em.Title) + runes(em.Description)
		e.maxItems(at(p, "fields"), len(em.Fields), MaxEmbedFields)
		for j, f := range em.Fields {
			fp := at(p, "fields", idx(j))
			if f.Name == nil || *f.Name == "" {
				e.required(at(fp, "name"))
			} else {
				e.maxLen(at(fp, "name"), *f.Name, MaxFieldName)
				total += runes(*f.Name)
			}
			if f.Value == nil || *f.Value == "" {
				e.required(at(fp, "value"))
			} else {
				e.maxLen(at(fp, "value"), *f.Value, MaxFieldValue)
				total += runes(*f.Value)
			}
		}
		if em.Footer != nil {
			if em.Footer.Text == nil || *em.Footer.Text == "" {
				e.required(at(p, "footer", "text"))
			} else {
				e.maxLen(at(p, "footer", "text"), *em.Footer.Text, MaxFooterText)
				total += runes(*em.Footer.Text)
			}
		}
		if em.Author != nil {
			if em.Author.Name == nil || *em.Author.Name == "" {
				e.required(at(p, "author", "name"))
			} else {
				e.maxLen(at(p, "author", "name"), *em.Author.Name, MaxAuthorName)
				total += runes(*em.Author.Name)
			}
		}
		if em.Color != nil && (*em.Color < 0 || *em.Color > 0xFFFFFF || *em.Color != float64(int64(*em.Color))) {
			e.add(at(p, "color"), "NUMBER_TYPE_MAX", "int value should be less than or equal to 16777215.")
		}
		if em.Timestamp != "" {
			if _, err := time.Parse(time.RFC3339, em.Timestamp); err != nil {
				e.add(at(p, "timestamp"), "DATE_TIME_TYPE_PARSE", "Could not parse "+em.Timestamp+". Should be ISO8601.")
			}
		}
	}
	if total > MaxEmbedTotal {
		e.add(at(path, "embeds"), "MAX_EMBED_SIZE_EXCEEDED", fmt.Sprintf("Embed size exceeds maximum size of %d", MaxEmbedTotal))
	}
	validateComponents(e, at(path, "components"), m.Components, m.Flags&flagComponentsV2 != 0)
	if a := m.AllowedMentions; a != nil {
		p := at(path, "allowed_mentions")
		for i, v := range a.Parse {
			if v != "users" && v != "roles" && v != "everyone" {
				e.add(at(p, "parse", idx(i)), "BASE_TYPE_CHOICES", "Value must be one of ('roles', 'users', 'everyone').")
			}
			if v == "users" && len(a.Users) > 0 {
				e.add(at(p, "parse"), "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE", `parse:["users"] and users: [ids...] are mutually exclusive.`)
			}
			if v == "roles" && len(a.Roles) > 0 {
				e.add(at(p, "parse"), "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE", `parse:["roles"] and roles: [ids...] are mutually exclusive.`)
			}
		}
		e.maxItems(at(p, "users"), len(a.Users), 100)
		e.maxItems(at(p, "roles"), len(a.Roles), 100)
	}
}

// validateComponents checks message components: classic action rows, or a
// components-v2 layout when v2 is set.
func validateComponents(e *formErrors, path []string, comps []wireComponent, v2 bool) {
	seen := map[string]bool{}
	if v2 {
		n := 0
		var walk func(p []string, cs []wireComponent)
		walk = func(p []string, cs []wireComponent) {
			for i, c := range cs {
				n++
				validateComponent(e, at(p, idx(i)), c, seen)
				walk(at(p, idx(i), "components"), c.Components)
				if c.Accessory != nil {
					n++
					validateComponent(e, at(p, idx(i), "accessory"), *c.Accessory, seen)
				}
			}
		}
		walk(path, comps)
		if n > 40 {
			e.add(path, "BASE_TYPE_MAX_LENGTH", "Must be 40 or fewer in length.")
		}
		return
	}
	e.maxItems(path, len(comps), MaxActionRows)
	for i, row := range comps {
		p := at(path, idx(i))
		if row.Type != 1 {
			e.add(at(p, "type"), "BASE_TYPE_CHOICES", "Value must be one of {1}.")
			continue
		}
		if len(row.Components) == 0 {
			e.add(at(p, "components"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
		}
		e.maxItems(at(p, "components"), len(row.Components), MaxRowButtons)
		for j, c := range row.Components {
			cp := at(p, "components", idx(j))
			switch c.Type {
			case 2:
			case 3, 5, 6, 7, 8:
				if len(row.Components) > 1 {
					e.add(cp, "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "The specified component exceeds the maximum width")
				}
			default:
				e.add(at(cp, "type"), "BASE_TYPE_CHOICES", "Value must be one of {2, 3, 5, 6, 7, 8}.")
				continue
			}
			validateComponent(e, cp, c, seen)
		}
	}
}

func validateComponent(e *formErrors, p []string, c wireComponent, seen map[string]bool) {
	customID := func(required bool) {
		if c.CustomID == nil || *c.CustomID == "" {
			if required {
				e.required(at(p, "custom_id"))
			}
			return
		}
		e.between(at(p, "custom_id"), *c.CustomID, 1, MaxCustomID)
		if seen[*c.CustomID] {
			e.add(at(p, "custom_id"), "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated")
		}
		seen[*c.CustomID] = true
	}
	switch c.Type {
	case 2: // button
		if c.Label != nil {
			e.maxLen(at(p, "label"), *c.Label, MaxButtonLabel)
		}
		switch c.Style {
		case 1, 2, 3, 4:
			customID(true)
			if c.URL != "" {
				e.add(at(p, "url"), "BUTTON_COMPONENT_URL_WITH_CUSTOM_ID", "A button with a custom_id cannot have a url")
			}
		case 5:
			if c.URL == "" {
				e.required(at(p, "url"))
			}
			if c.CustomID != nil && *c.CustomID != "" {
				e.add(at(p, "custom_id"), "BUTTON_COMPONENT_CUSTOM_ID_WITH_URL", "A link button cannot have a custom_id")
			}
		case 6:
			if c.SKUID == "" {
				e.required(at(p, "sku_id"))
			}
		default:
			e.add(at(p, "style"), "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4, 5, 6}.")
		}
	case 3, 5, 6, 7, 8: // select menus
		customID(true)
		e.maxLen(at(p, "placeholder"), c.Placeholder, 150)
		if c.Type == 3 {
			if len(c.Options) == 0 {
				e.required(at(p, "options"))
			}
			e.maxItems(at(p, "options"), len(c.Options), MaxSelectOptions)
		}
	case 4: // text input (modals)
		customID(true)
		if c.Label != nil {
			e.maxLen(at(p, "label"), *c.Label, 45)
		}
	default:
		if c.CustomID != nil {
			customID(false)
		}
	}
}

// validateModal checks a modal callback's data (callback type 9).
func validateModal(e *formErrors, path []string, m *wireMessage) {
	if m.CustomID == nil || *m.CustomID == "" {
		e.required(at(path, "custom_id"))
	} else {
		e.between(at(path, "custom_id"), *m.CustomID, 1, MaxCustomID)
	}
	if m.Title == nil || *m.Title == "" {
		e.required(at(path, "title"))
	} else {
		e.between(at(path, "title"), *m.Title, 1, 45)
	}
	if len(m.Components) == 0 {
		e.required(at(path, "components"))
	}
	e.maxItems(at(path, "components"), len(m.Components), MaxActionRows)
	seen := map[string]bool{}
	for i, row := range m.Components {
		for j, c := range row.Components {
			validateComponent(e, at(path, "components", idx(i), "components", idx(j)), c, seen)
		}
	}
}

// ---- autocomplete ----

type wireChoice struct {
	Name              string             `json:"name"`
	NameLocalizations map[string]*string `json:"name_localizations"`
	Value             any                `json:"value"`
}

func validateChoices(e *formErrors, path []string, choices []wireChoice, optionType int) {
	e.maxItems(path, len(choices), MaxChoices)
	for i, c := range choices {
		p := at(path, idx(i))
		e.between(at(p, "name"), c.Name, 1, MaxChoiceName)
		validateLocalizations(e, at(p, "name_localizations"), c.NameLocalizations, func(p []string, v string) {
			e.between(p, v, 1, MaxChoiceName)
		})
		switch v := c.Value.(type) {
		case string:
			if optionType != 0 && optionType != 3 {
				e.add(at(p, "value"), "BASE_TYPE_INVALID", "Value must be a number for this option type.")
			}
			e.maxLen(at(p, "value"), v, MaxChoiceValue)
		case float64:
			if optionType == 3 {
				e.add(at(p, "value"), "BASE_TYPE_INVALID", "Value must be a string for this option type.")
			}
			if optionType == 4 && v != float64(int64(v)) {
				e.add(at(p, "value"), "NUMBER_TYPE_COERCE", fmt.Sprintf("Value %v is not int.", v))
			}
		default:
			e.required(at(p, "value"))
		}
	}
}

func validateLocalizations(e *formErrors, path []string, m map[string]*string, check func([]string, string)) {
	for k, v := range m {
		if !locales[k] {
			e.add(at(path, k), "LOCALE_INVALID", "Invalid locale: "+k)
			continue
		}
		if v != nil {
			check(at(path, k), *v)
		}
	}
}

// ---- application commands ----

type wireCommand struct {
	ID                       string             `json:"id"`
	Type                     *int               `json:"type"`
	Name                     string             `json:"name"`
	NameLocalizations        map[string]*string `json:"name_localizations"`
	Description              string             `json:"description"`
	DescriptionLocalizations map[string]*string `json:"description_localizations"`
	Options                  []wireOption       `json:"options"`
}

type wireOption struct {
	Type                     int                `json:"type"`
	Name                     string             `json:"name"`
	NameLocalizations        map[string]*string `json:"name_localizations"`
	Description              string             `json:"description"`
	DescriptionLocalizations map[string]*string `json:"description_localizations"`
	Required                 bool               `json:"required"`
	Choices                  []wireChoice       `json:"choices"`
	Options                  []wireOption       `json:"options"`
	Autocomplete             bool               `json:"autocomplete"`
	MinLength                *int               `json:"min_length"`
	MaxLength                *int               `json:"max_length"`
}

func (c wireCommand) typ() int {
	if c.Type == nil || *c.Type == 0 {
		return 1
	}
	return *c.Type
}

// validateCommands checks a bulk overwrite's commands.
func validateCommands(e *formErrors, cmds []wireCommand) {
	counts := map[int]int{}
	seen := map[string]bool{}
	for i, c := range cmds {
		validateCommand(e, []string{idx(i)}, c)
		counts[c.typ()]++
		key := strconv.Itoa(c.typ()) + "/" + c.Name
		if seen[key] {
			e.add([]string{idx(i), "name"}, "APPLICATION_COMMANDS_DUPLICATE_NAME", "Application command names must be unique")
		}
		seen[key] = true
	}
	if counts[1] > MaxChatCommands {
		e.add(nil, "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", MaxChatCommands))
	}
	if counts[2] > MaxContextCommands || counts[3] > MaxContextCommands {
		e.add(nil, "APPLICATION_COMMANDS_TOO_MANY_CONTEXT_MENU", fmt.Sprintf("Maximum number of context menu commands per type reached (%d)", MaxContextCommands))
	}
}

func validateCommand(e *formErrors, path []string, c wireCommand) {
	t := c.typ()
	if t < 1 || t > 4 {
		e.add(at(path, "type"), "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4}.")
		return
	}
	if t != 1 { // user and message commands
		e.between(at(path, "name"), c.Name, 1, MaxCommandName)
		validateLocalizations(e, at(path, "name_localizations"), c.NameLocalizations, func(p []string, v string) {
			e.between(p, v, 1, MaxCommandName)
		})
		if c.Description != "" {
			e.add(at(path, "description"), "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION", "Context menu commands cannot have description")
		}
		if len(c.Options) > 0 {
			e.add(at(path, "options"), "APPLICATION_COMMAND_CONTEXT_MENU_OPTIONS", "Context menu commands cannot have options")
		}
		return
	}
	checkName(e, at(path, "name"), c.Name)
	validateLocalizations(e, at(path, "name_localizations"), c.NameLocalizations, func(p []string, v string) { checkName(e, p, v) })
	e.between(at(path, "description"), c.Description, 1, MaxDescription)
	validateLocalizations(e, at(path, "description_localizations"), c.DescriptionLocalizations, func(p []string, v string) {
		e.between(p, v, 1, MaxDescription)
	})
	total := runes(c.Name) + runes(c.Description) + validateOptions(e, at(path, "options"), c.Options, 0)
	if total > MaxCommandTotal {
		e.add(path, "APPLICATION_COMMAND_TOO_LARGE", fmt.Sprintf("Command exceeds maximum size (%d)", MaxCommandTotal))
	}
}

func checkName(e *formErrors, path []string, name string) {
	if !commandName.MatchString(name) {
		e.add(path, "STRING_TYPE_REGEX", fmt.Sprintf("String value did not match validation regex. (%s)", commandName))
		return
	}
	if strings.ToLower(name) != name {
		e.add(path, "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid: it must be lower case")
	}
}

// validateOptions checks options at one level (depth 0: the command's own)
// and returns the characters they count towards MaxCommandTotal.
func validateOptions(e *formErrors, path []string, opts []wireOption, depth int) int {
	e.maxItems(path, len(opts), MaxOptions)
	total := 0
	names := map[string]bool{}
	optional := false
	subs, plain := 0, 0
	for i, o := range opts {
		p := at(path, idx(i))
		if o.Type < 1 || o.Type > 11 {
			e.add(at(p, "type"), "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}.")
			continue
		}
		checkName(e, at(p, "name"), o.Name)
		validateLocalizations(e, at(p, "name_localizations"), o.NameLocalizations, func(p []string, v string) { checkName(e, p, v) })
		e.between(at(p, "description"), o.Description, 1, MaxDescription)
		validateLocalizations(e, at(p, "description_localizations"), o.DescriptionLocalizations, func(p []string, v string) {
			e.between(p, v, 1, MaxDescription)
		})
		total += runes(o.Name) + runes(o.Description)
		if names[o.Name] {
			e.add(at(p, "name"), "APPLICATION_COMMAND_OPTION_NAME_NOT_UNIQUE", "Option names must be unique")
		}
		names[o.Name] = true
		switch o.Type {
		case 1, 2:
			subs++
			if (o.Type == 2 && depth > 0) || (o.Type == 1 && depth > 1) {
				e.add(at(p, "type"), "APPLICATION_COMMAND_OPTION_INVALID_NESTING", "Sub-command options cannot be nested this deep")
			}
			for j, so := range o.Options {
				if o.Type == 2 && so.Type != 1 {
					e.add(at(p, "options", idx(j), "type"), "APPLICATION_COMMAND_OPTION_INVALID_NESTING", "A sub-command group may only contain sub-commands")
				}
			}
			total += validateOptions(e, at(p, "options"), o.Options, depth+1)
			continue
		}
		plain++
		if o.Required && optional {
			e.add(at(p, "required"), "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID", "Required options must be placed before non-required options")
		}
		if !o.Required {
			optional = true
		}
		if len(o.Choices) > 0 {
			if o.Type != 3 && o.Type != 4 && o.Type != 10 {
				e.add(at(p, "choices"), "APPLICATION_COMMAND_OPTION_CHOICES_INVALID", "Only string, integer and number options can have choices")
			}
			if o.Autocomplete {
				e.add(at(p, "autocomplete"), "APPLICATION_COMMAND_AUTOCOMPLETE_CHOICES_EXCLUSIVE", "Autocomplete and choices are mutually exclusive")
			}
			validateChoices(e, at(p, "choices"), o.Choices, o.Type)
			for _, c := range o.Choices {
				total += runes(c.Name)
				if s, ok := c.Value.(string); ok {
					total += runes(s)
				}
			}
		}
		if o.MinLength != nil && (*o.MinLength < 0 || *o.MinLength > MaxStringOption) {
			e.add(at(p, "min_length"), "NUMBER_TYPE_MAX", fmt.Sprintf("int value should be between 0 and %d.", MaxStringOption))
		}
		if o.MaxLength != nil && (*o.MaxLength < 1 || *o.MaxLength > MaxStringOption) {
			e.add(at(p, "max_length"), "NUMBER_TYPE_MAX", fmt.Sprintf("int value should be between 1 and %d.", MaxStringOption))
		}
		if (o.MinLength != nil || o.MaxLength != nil) && o.Type != 3 {
			e.add(at(p, "max_length"), "APPLICATION_COMMAND_OPTION_LENGTH_INVALID", "Only string options can have min_length or max_length")
		}
	}
	if subs > 0 && plain > 0 {
		e.add(path, "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Sub-command and sub-command group option types are mutually exclusive to all other types")
	}
	return total
}
