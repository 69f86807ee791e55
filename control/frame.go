package control

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// Frame kinds.
const (
	kindRequest  byte = 'q'
	kindAccepted byte = 'a'
	kindRefused  byte = 'r'
	kindStdout   byte = 'o'
	kindStderr   byte = 'e'
	kindExit     byte = 'x'
)

// maxChunk is the largest output frame a server writes; longer writes are
// split. A client refuses frames over maxFrame.
const (
	maxChunk = 64 << 10
	maxFrame = 1 << 20
)

var errFrameTooLarge = errors.New("frame too large")

func writeFrame(w io.Writer, kind byte, payload []byte) error {
	buf := make([]byte, 5+len(payload))
	buf[0] = kind
	binary.BigEndian.PutUint32(buf[1:5], uint32(len(payload)))
	copy(buf[5:], payload)
	_, err := w.Write(buf)
	return err
}

// readFrame reads one frame of at most max payload bytes.
func readFrame(r io.Reader, max int) (kind byte, payload []byte, err error) {
	var hdr [5]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, nil, err
	}
	n := binary.BigEndian.Uint32(hdr[1:])
	if int64(n) > int64(max) {
		return 0, nil, fmt.Errorf("%w: %d bytes, over %d", errFrameTooLarge, n, max)
	}
	payload = make([]byte, n)
	if _, err := io.ReadFull(r, payload); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return 0, nil, err
	}
	return hdr[0], payload, nil
}

func exitPayload(code int) []byte {
	return binary.BigEndian.AppendUint32(nil, uint32(int32(code)))
}

// frameConn writes the frames of one session, for the command's stdout and
// stderr writers at once. After a failed write (the client is gone or does
// not read) it drops all further output and calls gone once.
type frameConn struct {
	conn    net.Conn
	timeout time.Duration
	gone    func()

	mu     sync.Mutex
	broken bool
}

func (c *frameConn) frame(kind byte, payload []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.broken {
		return net.ErrClosed
	}
	c.conn.SetWriteDeadline(time.Now().Add(c.timeout))
	if err := writeFrame(c.conn, kind, payload); err != nil {
		c.broken = true
		c.gone()
		return err
	}
	return nil
}

// stream is an io.Writer of one output stream. Its writes never fail: once
// the client is gone, what the command still writes is dropped while it
// finishes (cancelled) on its own.
type stream struct {
	c    *frameConn
	kind byte
}

func (s stream) Write(p []byte) (int, error) {
	for rest := p; len(rest) > 0; {
		n := min(len(rest), maxChunk)
		if s.c.frame(s.kind, rest[:n]) != nil {
			break
		}
		rest = rest[n:]
	}
	return len(p), nil
}
