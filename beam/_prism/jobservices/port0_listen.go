// This file is port0's, not Beam's: beam/sdk.sh adds it to Beam's package
// runners/prism/internal/jobservices, in the copy of links to the module
// cache that beam/go.mod's replace directive names, because NewServer listens on every interface
// (":port") and a job server that runs PROCESS environments must not be
// reachable from other hosts.

package jobservices

import (
	"log/slog"
	"math"
	"net"
	"time"

	jobpb "github.com/apache/beam/sdks/v2/go/pkg/beam/model/jobmanagement_v1"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism/internal/worker"
	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"
)

// NewServerOn returns a job server that will serve on lis, a listener the
// caller opened on the address of its choice: the job management, artifact
// and Fn API services of NewServer's, on that one listener.
func NewServerOn(lis net.Listener, execute func(*Job)) *Server {
	s := &Server{lis: lis, jobs: map[string]*Job{}, execute: execute, logger: slog.Default()}
	s.server = grpc.NewServer(
		grpc.MaxRecvMsgSize(math.MaxInt32),
		// Workers may ping as often as every 20 s, idle or not.
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 20 * time.Second, PermitWithoutStream: true}),
	)
	jobpb.RegisterJobServiceServer(s.server, s)
	jobpb.RegisterArtifactStagingServiceServer(s.server, s)
	jobpb.RegisterArtifactRetrievalServiceServer(s.server, s)
	s.mw = worker.NewMultiplexW(lis, s.server, s.logger)
	s.logger.Info("Serving JobManagement", slog.String("endpoint", lis.Addr().String()))
	return s
}
