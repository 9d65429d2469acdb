package ecma2

// The session RPCs: call-based import and export, password management, the file calls and
// Shutdown.

import (
	"context"
	"errors"
	"io"

	pb "ecma2host.dev/sdk/go/ecma2v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

func (s *service) OpenImportConnection(ctx context.Context, req *pb.OpenImportConnectionRequest) (*pb.OpenImportConnectionResponse, error) {
	step, _ := proto.Clone(req.GetImportRunStep()).(*pb.OpenImportConnectionRunStep)
	if step == nil {
		step = &pb.OpenImportConnectionRunStep{}
	}
	cfg := Config{params: req.GetConfigParameters()}
	resp := &pb.OpenImportConnectionResponse{}
	if contains(s.interfaces, pb.Ecma2Interface_ECMA2_INTERFACE_CALL_IMPORT) {
		size, err := pageSize(step.GetPageSize(), s.conn.ImportPageSizes.Default, s.conn.ImportPageSizes.Max, "page size", "ImportMaxPageSize")
		if err != nil {
			return nil, status.Error(codes.InvalidArgument, err.Error())
		}
		step.PageSize = size
	}
	sess, err := s.open(ctx, "OpenImportConnection", kindImport, pb.Ecma2Interface_ECMA2_INTERFACE_CALL_IMPORT, cfg, step.PageSize, step.GetCustomData(),
		func(ctx context.Context, c any) (err error) {
			resp.Results, err = c.(CallImport).OpenImportConnection(ctx, &ImportOpen{Config: cfg, Schema: req.GetTypes(), Step: step})
			return err
		})
	if err != nil {
		return nil, err
	}
	if resp.Results != nil {
		sess.customData = resp.Results.GetCustomData()
	}
	resp.SessionId = sess.id
	resp.PageSize = sess.size
	return resp, nil
}

func (s *service) GetImportEntries(req *pb.GetImportEntriesRequest, stream grpc.ServerStreamingServer[pb.GetImportEntriesResponse]) error {
	return s.inSession(stream.Context(), "GetImportEntries", req.GetSessionId(), kindImport, func(ctx context.Context, sess *session) error {
		step := req.GetImportRunStep()
		if step == nil {
			step = &pb.GetImportEntriesRunStep{CustomData: sess.customData}
		}
		page, err := sess.instance.(CallImport).GetImportEntries(ctx, step)
		if err != nil {
			return err
		}
		if page == nil {
			page = &ImportPage{}
		}
		if len(page.Entries) > int(sess.size) {
			return Extensible("GetImportEntries returned %d entries, more than the page size %d", len(page.Entries), sess.size)
		}
		for _, entry := range page.Entries {
			whole, fragments, err := frame(entry, FragmentSize)
			if err != nil {
				return err
			}
			if whole != nil {
				if err := stream.Send(&pb.GetImportEntriesResponse{Frame: &pb.GetImportEntriesResponse_Entry{Entry: whole}}); err != nil {
					return sendError(ctx, err)
				}
				continue
			}
			for _, f := range fragments {
				if err := stream.Send(&pb.GetImportEntriesResponse{Frame: &pb.GetImportEntriesResponse_EntryFragment{EntryFragment: f}}); err != nil {
					return sendError(ctx, err)
				}
			}
		}
		sess.customData = page.CustomData
		Logger(ctx).Debug("page sent", "entries", len(page.Entries), "more", page.MoreToImport)
		return stream.Send(&pb.GetImportEntriesResponse{Frame: &pb.GetImportEntriesResponse_Results{
			Results: &pb.GetImportEntriesResults{CustomData: page.CustomData, MoreToImport: page.MoreToImport},
		}})
	})
}

// sendError reports a failed send as the caller going away.
func sendError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return protocolError(codes.Unavailable, "sending a frame: %v", err)
}

func (s *service) CloseImportConnection(ctx context.Context, req *pb.CloseImportConnectionRequest) (*pb.CloseImportConnectionResponse, error) {
	step := req.GetImportRunStep()
	if step == nil {
		step = &pb.CloseImportConnectionRunStep{}
	}
	resp := &pb.CloseImportConnectionResponse{}
	err := s.closeSession(ctx, "CloseImportConnection", req.GetSessionId(), kindImport, step.GetReason().String(), func(ctx context.Context, sess *session) (err error) {
		if step.CustomData == "" {
			step.CustomData = sess.customData
		}
		resp.Results, err = sess.instance.(CallImport).CloseImportConnection(ctx, step)
		return err
	})
	return resp, err
}

func (s *service) OpenExportConnection(ctx context.Context, req *pb.OpenExportConnectionRequest) (*pb.OpenExportConnectionResponse, error) {
	step, _ := proto.Clone(req.GetExportRunStep()).(*pb.OpenExportConnectionRunStep)
	if step == nil {
		step = &pb.OpenExportConnectionRunStep{}
	}
	cfg := Config{params: req.GetConfigParameters()}
	if contains(s.interfaces, pb.Ecma2Interface_ECMA2_INTERFACE_CALL_EXPORT) {
		size, err := pageSize(step.GetBatchSize(), s.conn.ExportPageSizes.Default, s.conn.ExportPageSizes.Max, "batch size", "ExportMaxPageSize")
		if err != nil {
			return nil, status.Error(codes.InvalidArgument, err.Error())
		}
		step.BatchSize = size
	}
	sess, err := s.open(ctx, "OpenExportConnection", kindExport, pb.Ecma2Interface_ECMA2_INTERFACE_CALL_EXPORT, cfg, step.BatchSize, "",
		func(ctx context.Context, c any) error {
			return c.(CallExport).OpenExportConnection(ctx, &ExportOpen{Config: cfg, Schema: req.GetTypes(), Step: step})
		})
	if err != nil {
		return nil, err
	}
	return &pb.OpenExportConnectionResponse{SessionId: sess.id, BatchSize: sess.size}, nil
}

func (s *service) PutExportEntries(stream grpc.ClientStreamingServer[pb.PutExportEntriesRequest, pb.PutExportEntriesResponse]) error {
	var sessionID string
	var entries []*pb.CSEntryChange
	var parts reassembler
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if sessionID == "" {
			sessionID = req.GetSessionId()
			if sessionID == "" {
				return status.Error(codes.InvalidArgument, "the first PutExportEntries frame carries no session_id")
			}
		}
		switch f := req.GetFrame().(type) {
		case *pb.PutExportEntriesRequest_Entry:
			if parts.pending {
				return status.Error(codes.InvalidArgument, "an entry frame arrived in the middle of a fragmented entry")
			}
			entries = append(entries, f.Entry)
		case *pb.PutExportEntriesRequest_EntryFragment:
			entry, err := parts.add(f.EntryFragment)
			if err != nil {
				return status.Error(codes.InvalidArgument, err.Error())
			}
			if entry != nil {
				entries = append(entries, entry)
			}
		}
	}
	if parts.pending {
		return status.Error(codes.InvalidArgument, "the stream ended in the middle of a fragmented entry")
	}
	resp := &pb.PutExportEntriesResponse{Results: &pb.PutExportEntriesResults{}}
	err := s.inSession(stream.Context(), "PutExportEntries", sessionID, kindExport, func(ctx context.Context, sess *session) error {
		results, err := sess.instance.(CallExport).PutExportEntries(ctx, entries)
		resp.Results.CsEntryChangeResults = results
		return err
	})
	if err != nil {
		return err
	}
	return stream.SendAndClose(resp)
}

func (s *service) CloseExportConnection(ctx context.Context, req *pb.CloseExportConnectionRequest) (*pb.CloseExportConnectionResponse, error) {
	step := req.GetExportRunStep()
	if step == nil {
		step = &pb.CloseExportConnectionRunStep{}
	}
	err := s.closeSession(ctx, "CloseExportConnection", req.GetSessionId(), kindExport, step.GetReason().String(), func(ctx context.Context, sess *session) error {
		return sess.instance.(CallExport).CloseExportConnection(ctx, step)
	})
	return &pb.CloseExportConnectionResponse{}, err
}

func (s *service) WriteImportFile(ctx context.Context, req *pb.WriteImportFileRequest) (*pb.WriteImportFileResponse, error) {
	resp := &pb.WriteImportFileResponse{}
	cfg := Config{params: req.GetConfigParameters()}
	return resp, s.stateless(ctx, "WriteImportFile", pb.Ecma2Interface_ECMA2_INTERFACE_FILE_IMPORT, cfg, func(ctx context.Context, c any) (err error) {
		resp.Results, err = c.(FileImport).WriteImportFile(ctx, cfg, req.GetTypes(), req.GetImportRunStep())
		return err
	})
}

func (s *service) ReadExportFile(ctx context.Context, req *pb.ReadExportFileRequest) (*pb.ReadExportFileResponse, error) {
	cfg := Config{params: req.GetConfigParameters()}
	return &pb.ReadExportFileResponse{}, s.stateless(ctx, "ReadExportFile", pb.Ecma2Interface_ECMA2_INTERFACE_FILE_EXPORT, cfg, func(ctx context.Context, c any) error {
		return c.(FileExport).ReadExportFile(ctx, cfg, req.GetTypes(), req.GetExportRunStep())
	})
}

func (s *service) OpenPasswordConnection(ctx context.Context, req *pb.OpenPasswordConnectionRequest) (*pb.OpenPasswordConnectionResponse, error) {
	cfg := Config{params: req.GetConfigParameters()}
	sess, err := s.open(ctx, "OpenPasswordConnection", kindPassword, pb.Ecma2Interface_ECMA2_INTERFACE_PASSWORD, cfg, 0, "", func(ctx context.Context, c any) error {
		return c.(Password).OpenPasswordConnection(ctx, cfg, req.GetPartition())
	})
	if err != nil {
		return nil, err
	}
	return &pb.OpenPasswordConnectionResponse{SessionId: sess.id}, nil
}

func (s *service) GetConnectionSecurityLevel(ctx context.Context, req *pb.GetConnectionSecurityLevelRequest) (*pb.GetConnectionSecurityLevelResponse, error) {
	resp := &pb.GetConnectionSecurityLevelResponse{}
	return resp, s.inSession(ctx, "GetConnectionSecurityLevel", req.GetSessionId(), kindPassword, func(ctx context.Context, sess *session) (err error) {
		resp.Level, err = sess.instance.(Password).GetConnectionSecurityLevel(ctx)
		return err
	})
}

func (s *service) SetPassword(ctx context.Context, req *pb.SetPasswordRequest) (*pb.SetPasswordResponse, error) {
	newPassword := req.GetNewPassword().GetValue()
	secrets := []string{newPassword}
	return &pb.SetPasswordResponse{}, s.inSession(ctx, "SetPassword", req.GetSessionId(), kindPassword, func(ctx context.Context, sess *session) error {
		return sess.instance.(Password).SetPassword(ctx, req.GetCsentry(), Secret{value: newPassword}, req.GetOptions())
	}, secrets...)
}

func (s *service) ChangePassword(ctx context.Context, req *pb.ChangePasswordRequest) (*pb.ChangePasswordResponse, error) {
	oldPassword, newPassword := req.GetOldPassword().GetValue(), req.GetNewPassword().GetValue()
	secrets := []string{oldPassword, newPassword}
	return &pb.ChangePasswordResponse{}, s.inSession(ctx, "ChangePassword", req.GetSessionId(), kindPassword, func(ctx context.Context, sess *session) error {
		return sess.instance.(Password).ChangePassword(ctx, req.GetCsentry(), Secret{value: oldPassword}, Secret{value: newPassword})
	}, secrets...)
}

func (s *service) ClosePasswordConnection(ctx context.Context, req *pb.ClosePasswordConnectionRequest) (*pb.ClosePasswordConnectionResponse, error) {
	err := s.closeSession(ctx, "ClosePasswordConnection", req.GetSessionId(), kindPassword, "", func(ctx context.Context, sess *session) error {
		return sess.instance.(Password).ClosePasswordConnection(ctx)
	})
	return &pb.ClosePasswordConnectionResponse{}, err
}

func (s *service) Shutdown(_ context.Context, req *pb.ShutdownRequest) (*pb.ShutdownResponse, error) {
	n := s.shutdown("Shutdown RPC: " + req.GetReason())
	if s.onShutdownRequested != nil {
		s.onShutdownRequested(req.GetReason())
	}
	return &pb.ShutdownResponse{ClosedSessions: uint32(n)}, nil
}
