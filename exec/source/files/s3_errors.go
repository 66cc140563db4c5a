package files

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
)

// S3Error is a failed S3 request. Its message names the operation, the
// object (or bucket, or prefix), the endpoint and the cause in a few
// words; the SDK's own error, which Unwrap returns, says the same at
// length. Neither holds credentials: requests are signed in headers,
// which the SDK keeps out of its errors.
type S3Error struct {
	Op       string // HeadObject, GetObject, ListObjectsV2, ...
	Endpoint string
	Bucket   string
	Key      string // the object, or the prefix of a listing
	Status   int    // HTTP status, 0 when no response came
	Code     string // S3 error code such as NoSuchBucket, if the server sent one
	Message  string // the server's message, or the transport failure
	Attempts int    // tries made, when retries ran out
	Err      error
}

// Error reads like
//
//	s3 GetObject s3://bucket/key at http://127.0.0.1:9000: 403 SignatureDoesNotMatch: The request signature ...
func (e *S3Error) Error() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "s3 %s s3://%s/%s at %s: ", e.Op, e.Bucket, e.Key, e.Endpoint)
	if e.Status != 0 {
		fmt.Fprintf(&sb, "%d ", e.Status)
	}
	if e.Code != "" {
		sb.WriteString(e.Code)
		if e.Message != "" {
			sb.WriteString(": ")
		}
	}
	sb.WriteString(e.Message)
	if e.Attempts > 1 {
		fmt.Fprintf(&sb, " (after %d attempts)", e.Attempts)
	}
	return sb.String()
}

func (e *S3Error) Unwrap() error { return e.Err }

// Is makes a missing object match fs.ErrNotExist, as the FS interface
// asks. A missing bucket does not: it is a configuration mistake that
// must not read as "no files match".
func (e *S3Error) Is(target error) bool {
	return target == fs.ErrNotExist && e.Status == 404 && (e.Code == "" || e.Code == "NotFound" || e.Code == "NoSuchKey")
}

// s3Failure describes err, returned by op on bucket and key. timedOut
// says the operation's own deadline, timeout, (and not the caller's
// context) ended the request.
func s3Failure(op, endpoint, bucket, key string, timedOut bool, timeout time.Duration, err error) error {
	if err == nil {
		return nil
	}
	e := &S3Error{Op: op, Endpoint: endpoint, Bucket: bucket, Key: key, Err: err}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		e.Status = re.HTTPStatusCode()
	}
	var me *retry.MaxAttemptsError
	if errors.As(err, &me) {
		e.Attempts = me.Attempt
	}
	var ae smithy.APIError
	var ue *url.Error
	var ne net.Error
	switch {
	case errors.As(err, &ae):
		e.Code, e.Message = ae.ErrorCode(), ae.ErrorMessage()
		if e.Code == e.Message || e.Code == "NotFound" && e.Message == "Not Found" {
			e.Message = ""
		}
	case timedOut:
		e.Message = fmt.Sprintf("no answer within %s (request timeout)", timeout)
	case errors.As(err, &ue):
		// The transport's failure, without the SDK's framing around it:
		// dial errors, timeouts awaiting headers, resets.
		e.Message = ue.Err.Error()
		if ne, ok := ue.Err.(net.Error); ok && ne.Timeout() && !strings.Contains(e.Message, "timeout") {
			e.Message += " (timeout)"
		}
	case errors.As(err, &ne):
		e.Message = ne.Error()
	default:
		e.Message = err.Error()
	}
	return e
}
