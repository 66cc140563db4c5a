package remote

import (
	"context"
	"io"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// The executor service has one server-streaming call, Run: the request is a
// JSON fragment, the responses are consecutive pieces of an Arrow IPC
// stream. Messages are protobuf BytesValues so no generated code is needed.
const (
	serviceName = "lakeframe.remote.v1.Executor"
	runMethod   = "/" + serviceName + "/Run"
	pluginName  = "executor"
)

// Handshake is checked by both sides before any call; bump ProtocolVersion
// whenever the fragment or stream format changes.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  1,
	MagicCookieKey:   "LAKEFRAME_EXECUTOR",
	MagicCookieValue: "4f1c2a7e-lakeframe-executor",
}

type runService interface {
	run(ctx context.Context, fragment []byte, send func([]byte) error) error
}

var serviceDesc = grpc.ServiceDesc{
	ServiceName: serviceName,
	HandlerType: (*runService)(nil),
	Streams: []grpc.StreamDesc{{
		StreamName:    "Run",
		ServerStreams: true,
		Handler: func(srv any, stream grpc.ServerStream) error {
			in := new(wrapperspb.BytesValue)
			if err := stream.RecvMsg(in); err != nil {
				return err
			}
			return srv.(runService).run(stream.Context(), in.Value, func(b []byte) error {
				return stream.SendMsg(wrapperspb.Bytes(b))
			})
		},
	}},
}

// executorPlugin plugs the service into go-plugin's gRPC transport.
type executorPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	srv *server
}

func (p *executorPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	s.RegisterService(&serviceDesc, p.srv)
	return nil
}

func (p *executorPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, cc *grpc.ClientConn) (any, error) {
	return &client{cc: cc}, nil
}

// client calls one executor.
type client struct{ cc *grpc.ClientConn }

// run sends a fragment and returns a reader over the IPC stream that
// comes back; closing ctx cancels the call.
func (c *client) run(ctx context.Context, fragment []byte) (io.Reader, error) {
	st, err := c.cc.NewStream(ctx, &serviceDesc.Streams[0], runMethod)
	if err != nil {
		return nil, err
	}
	if err := st.SendMsg(wrapperspb.Bytes(fragment)); err != nil {
		return nil, err
	}
	if err := st.CloseSend(); err != nil {
		return nil, err
	}
	return &streamReader{st: st}, nil
}

// streamReader turns the response messages back into one byte stream.
type streamReader struct {
	st  grpc.ClientStream
	buf []byte
}

func (r *streamReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		m := new(wrapperspb.BytesValue)
		if err := r.st.RecvMsg(m); err != nil {
			return 0, err
		}
		r.buf = m.Value
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}
