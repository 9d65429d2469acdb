package ecma2

// Logs: one JSON object per line on stderr, in the shape of docs/runtime.md#logs, built on
// log/slog.

import (
	"context"
	"io"
	"log/slog"
	"time"
)

// NewLogHandler returns the slog handler the runtime installs: JSON lines with timestamp,
// level, target and message keys (format "json"), or slog's text format (format "text").
func NewLogHandler(w io.Writer, format string, level slog.Leveler) slog.Handler {
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: replaceAttr}
	if format == "text" {
		return slog.NewTextHandler(w, opts)
	}
	return slog.NewJSONHandler(w, opts)
}

func replaceAttr(groups []string, a slog.Attr) slog.Attr {
	if len(groups) > 0 {
		return a
	}
	switch a.Key {
	case slog.TimeKey:
		if t, ok := a.Value.Any().(time.Time); ok {
			return slog.String("timestamp", t.UTC().Format("2006-01-02T15:04:05.000Z"))
		}
	case slog.MessageKey:
		a.Key = "message"
	case slog.LevelKey:
		if l, ok := a.Value.Any().(slog.Level); ok && l < slog.LevelDebug {
			return slog.String("level", "TRACE")
		}
	}
	return a
}

type loggerKey struct{}

// Logger returns the logger of a call: the runtime's logger with the call's connector,
// call and session fields. Outside a call it returns slog.Default().
func Logger(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(loggerKey{}).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}

// callInfo says where a call runs, for logs and faults.
type callInfo struct {
	Connector string
	Call      string
	SessionID string
}

type callInfoKey struct{}

// CallName returns the RPC name of the call a context belongs to ("GetImportEntries", ...).
func CallName(ctx context.Context) string {
	info, _ := ctx.Value(callInfoKey{}).(callInfo)
	return info.Call
}

// SessionID returns the session id of the call a context belongs to ("" outside a session).
func SessionID(ctx context.Context) string {
	info, _ := ctx.Value(callInfoKey{}).(callInfo)
	return info.SessionID
}
