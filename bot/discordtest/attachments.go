package discordtest

import (
	"net/http"
	"strconv"

	"github.com/bwmarrin/discordgo"
)

// RouteAttachment serves the bytes of a file uploaded with AddAttachment, as
// Discord's CDN does: without authentication, at the url of the attachment
// object. Its path is not under /api/v9.
const RouteAttachment Route = "GET /attachments/{channel}/{attachment}/{filename}"

// uploadsChannel stands in for the channel part of an uploaded file's URL.
const uploadsChannel = "uploads"

// AddAttachment stores a file a user is about to attach to a slash command
// and returns its attachment id, for AttachmentOption. The interaction then
// carries it in data.resolved.attachments, with a url on this server that
// answers GET with data (see RouteAttachment). contentType may be "".
func (s *Server) AddAttachment(filename, contentType string, data []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.newID()
	s.uploads[id] = File{Name: filename, ContentType: contentType, Data: append([]byte(nil), data...)}
	return id
}

// AttachmentOption is an attachment option (type 11) naming an attachment
// id from AddAttachment.
func AttachmentOption(name, attachmentID string) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionAttachment, Value: attachmentID}
}

// attachmentJSON is the attachment object of an uploaded file; s.mu must be held.
func (s *Server) attachmentJSON(id string) (map[string]any, bool) {
	f, ok := s.uploads[id]
	if !ok {
		return nil, false
	}
	url := s.base + "/attachments/" + uploadsChannel + "/" + id + "/" + f.Name
	out := map[string]any{
		"id": id, "filename": f.Name, "size": len(f.Data), "url": url, "proxy_url": url,
		"ephemeral": true,
	}
	if f.ContentType != "" {
		out["content_type"] = f.ContentType
	}
	return out, true
}

func (s *Server) getAttachment(c *call) reply {
	f, ok := s.uploads[c.r.PathValue("attachment")]
	if !ok || c.r.PathValue("channel") != uploadsChannel || c.r.PathValue("filename") != f.Name {
		return apiError(http.StatusNotFound, 0, "404: Not Found")
	}
	h := http.Header{}
	ct := f.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	h.Set("Content-Type", ct)
	h.Set("Content-Length", strconv.Itoa(len(f.Data)))
	return reply{status: http.StatusOK, raw: f.Data, header: h}
}
