// This file is port0's, not Beam's: beam/sdk.sh adds it to Beam's package
// runners/prism, in the copy of links to the module cache that
// beam/go.mod's replace directive names, so
// that Prism in-process and Prism's job server listen on loopback only.
// Execute and CreateJobServer listen on every interface, and Prism runs
// the command of any job's PROCESS environment: whoever reaches the port
// while a job server lasts could run a command on the host.

package prism

import (
	"context"
	"fmt"
	"net"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/options/jobopts"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism/internal"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism/internal/jobservices"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners/universal"
)

// LoopbackServer is a Prism job server listening on a loopback address.
type LoopbackServer struct {
	s   *jobservices.Server
	lis net.Listener
}

// ServeLoopback starts a Prism job server on addr, HOST:PORT where HOST
// is a loopback address (127.0.0.0/8, ::1) or localhost (127.0.0.1) and
// PORT may be 0 for a free one. Any other host is refused.
func ServeLoopback(addr string) (*LoopbackServer, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if host == "localhost" {
		host = "127.0.0.1"
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("job server address %s: the host must be a loopback address (127.0.0.1, ::1 or localhost): a Prism job server runs the commands its jobs name", addr)
	}
	lis, err := net.Listen("tcp", net.JoinHostPort(host, port))
	if err != nil {
		return nil, err
	}
	s := jobservices.NewServerOn(lis, internal.RunPipeline)
	go s.Serve()
	return &LoopbackServer{s: s, lis: lis}, nil
}

// Endpoint is the address the server listens on, HOST:PORT.
func (l *LoopbackServer) Endpoint() string { return l.lis.Addr().String() }

// Stop stops the server, after the calls under way.
func (l *LoopbackServer) Stop() { l.s.Stop() }

// ExecuteLoopback is Execute with its in-process job server on
// 127.0.0.1: with no --endpoint, it starts one on a free loopback port,
// sets --endpoint to it (later pipelines of the process use the same
// server) and --environment_type to LOOPBACK unless one is set, then runs
// the pipeline through the universal runner.
func ExecuteLoopback(ctx context.Context, p *beam.Pipeline) (beam.PipelineResult, error) {
	if *jobopts.Endpoint == "" {
		s, err := ServeLoopback("127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		*jobopts.Endpoint = s.Endpoint()
		if *jobopts.EnvironmentType == "" {
			*jobopts.EnvironmentType = "loopback"
		}
	}
	return universal.Execute(ctx, p)
}
