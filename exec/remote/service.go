package remote

import (
	"context"
	"io"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// The executor service has three calls. Run (server streaming): the
// request is a JSON fragment, the responses are consecutive pieces of an
// Arrow IPC stream. Map (server streaming): the request is a map task of
// an exchange, the responses pieces of one IPC stream per partition, each
// message prefixed by its partition number. Reduce (bidirectional): the
// first request is a reduce task, the next ones pieces of its inputs'
// IPC streams, prefixed by input and stream numbers; the responses are
// the result's IPC stream, as for Run. Messages are protobuf BytesValues
// so no generated code is needed.
const (
	serviceName  = "lakeframe.remote.v1.Executor"
	runMethod    = "/" + serviceName + "/Run"
	mapMethod    = "/" + serviceName + "/Map"
	reduceMethod = "/" + serviceName + "/Reduce"
	pluginName   = "executor"
)

// Handshake is checked by both sides before any call; bump ProtocolVersion
// whenever the fragment or stream format changes.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  3,
	MagicCookieKey:   "LAKEFRAME_EXECUTOR",
	MagicCookieValue: "4f1c2a7e-lakeframe-executor",
}

type runService interface {
	run(ctx context.Context, fragment []byte, send func([]byte) error) error
	mapTask(ctx context.Context, task []byte, send func([]byte) error) error
	reduceTask(ctx context.Context, recv func() ([]byte, error), send func([]byte) error) error
}

// recvBytes returns a function reading the next BytesValue of a stream.
func recvBytes(st interface{ RecvMsg(any) error }) func() ([]byte, error) {
	return func() ([]byte, error) {
		m := new(wrapperspb.BytesValue)
		if err := st.RecvMsg(m); err != nil {
			return nil, err
		}
		return m.Value, nil
	}
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
	}, {
		StreamName:    "Map",
		ServerStreams: true,
		Handler: func(srv any, stream grpc.ServerStream) error {
			in := new(wrapperspb.BytesValue)
			if err := stream.RecvMsg(in); err != nil {
				return err
			}
			return srv.(runService).mapTask(stream.Context(), in.Value, func(b []byte) error {
				return stream.SendMsg(wrapperspb.Bytes(b))
			})
		},
	}, {
		StreamName:    "Reduce",
		ServerStreams: true,
		ClientStreams: true,
		Handler: func(srv any, stream grpc.ServerStream) error {
			return srv.(runService).reduceTask(stream.Context(), recvBytes(stream), func(b []byte) error {
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

// mapTask sends a map task; recv returns its output messages, each
// prefixed by a partition number, until io.EOF. Closing ctx cancels the
// call.
func (c *client) mapTask(ctx context.Context, task []byte) (recv func() ([]byte, error), err error) {
	st, err := c.cc.NewStream(ctx, &serviceDesc.Streams[1], mapMethod)
	if err != nil {
		return nil, err
	}
	if err := st.SendMsg(wrapperspb.Bytes(task)); err != nil {
		return nil, err
	}
	if err := st.CloseSend(); err != nil {
		return nil, err
	}
	return recvBytes(st), nil
}

// reduceTask opens a reduce call: the caller sends the task and its
// inputs with send, calls done, then reads the result's messages with
// recv until io.EOF.
func (c *client) reduceTask(ctx context.Context) (send func([]byte) error, done func() error, recv func() ([]byte, error), err error) {
	st, err := c.cc.NewStream(ctx, &serviceDesc.Streams[2], reduceMethod)
	if err != nil {
		return nil, nil, nil, err
	}
	send = func(b []byte) error { return st.SendMsg(wrapperspb.Bytes(b)) }
	return send, st.CloseSend, recvBytes(st), nil
}

// msgReader turns consecutive messages back into one byte stream.
type msgReader struct {
	recv func() ([]byte, error)
	buf  []byte
}

func (r *msgReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		b, err := r.recv()
		if err != nil {
			return 0, err
		}
		r.buf = b
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
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
