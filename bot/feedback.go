package bot

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"

	"github.com/baobot/baobot/messages"
	"github.com/baobot/baobot/retrieval"
	"github.com/baobot/baobot/storage"
)

// vote records 👍 (helpful) or 👎 on a ShownAnswer and thanks the voter
// privately. A second click by the same person replaces their vote.
func (b *Bot) vote(r *request, shown uint64, helpful bool) {
	_, err := b.db.PutFeedback(storage.Feedback{Shown: shown, Voter: voterID(userKey(r.user)), Helpful: helpful})
	switch {
	case errors.Is(err, retrieval.ErrNotFound):
		b.replyNow(r, textReply(messages.Get(r.lang, messages.AnswerExpired), true))
	case err != nil:
		r.log.Error("storing feedback", "shown", shown, "err", err)
		b.replyNow(r, textReply(messages.Get(r.lang, messages.Internal), true))
	default:
		b.replyNow(r, textReply(messages.Get(r.lang, messages.FeedbackThanks), true))
	}
}

// voterID is how feedback names a Discord user: a hash of their id, the
// same for every vote of theirs, so that each has one vote per answer
// without the database holding who they are.
func voterID(userID string) string {
	sum := sha256.Sum256([]byte("baobot voter " + userID))
	return hex.EncodeToString(sum[:12])
}
