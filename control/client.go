package control

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"time"
)

// dialTimeout bounds connecting; a live server accepts at once.
const dialTimeout = 2 * time.Second

// Forward hands req to the server listening at socketPath and relays what
// the command writes to stdout and stderr as it comes. It returns the
// command's exit code when the command ran to its end.
//
// The error wraps ErrNoServer when nothing answers (nothing ran: the caller
// may go on and open the database itself), is a *RefusedError when the
// server refused the command (nothing ran), or wraps ErrLost when the
// connection broke while the command ran. Forward sets req.Version and
// never sends the Discord token.
func Forward(socketPath string, req Request, stdout, stderr io.Writer) (exitCode int, err error) {
	conn, err := net.DialTimeout("unix", socketPath, dialTimeout)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrNoServer, err)
	}
	defer conn.Close()

	req.Version = Version
	req.Config.Discord.Token = ""
	payload, err := json.Marshal(req)
	if err != nil {
		return 0, fmt.Errorf("control: %w", err)
	}
	conn.SetWriteDeadline(time.Now().Add(dialTimeout))
	// A server too busy to read the request refuses it unread and hangs
	// up, which may fail this write: its refusal is still there to read.
	writeErr := writeFrame(conn, kindRequest, payload)
	conn.SetWriteDeadline(time.Time{})
	if writeErr != nil {
		conn.SetReadDeadline(time.Now().Add(dialTimeout))
	}

	accepted := false
	for {
		kind, payload, err := readFrame(conn, maxFrame)
		switch {
		case err == nil && !accepted && kind == kindRefused:
			return 0, &RefusedError{Reason: string(payload)}
		case writeErr != nil:
			return 0, fmt.Errorf("%w: %w", ErrNoServer, writeErr)
		case err != nil && !accepted:
			return 0, fmt.Errorf("%w: %w", ErrNoServer, err)
		case err != nil:
			return 0, fmt.Errorf("%w: %w", ErrLost, err)
		}
		switch {
		case !accepted && kind == kindAccepted:
			accepted = true
		case accepted && kind == kindStdout:
			stdout.Write(payload)
		case accepted && kind == kindStderr:
			stderr.Write(payload)
		case accepted && kind == kindExit && len(payload) == 4:
			return int(int32(binary.BigEndian.Uint32(payload))), nil
		case accepted:
			return 0, fmt.Errorf("%w: unexpected message %q", ErrLost, kind)
		default:
			return 0, fmt.Errorf("control: unexpected message %q from the running baobot", kind)
		}
	}
}
