package files

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"lakeframe/errs"
)

// S3Config says how to reach an S3-compatible object store. Fields left
// empty are taken from the environment when the store is first used (see
// S3ConfigFromEnv), so a config may name only the endpoint and leave the
// credentials to AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
//
// The JSON form carries the secret key and session token: executors
// re-open sources from a JSON fragment and need them. String, GoString
// and Format redact both, so printing a config (or a struct holding it
// through an exported field) never shows them; errors built from a config
// name only the endpoint, bucket and key.
type S3Config struct {
	// Endpoint is the base URL of an S3-compatible server, such as
	// http://127.0.0.1:9000 for MinIO; empty means AWS S3.
	Endpoint string `json:"endpoint,omitempty"`
	// Region signs requests; empty means us-east-1.
	Region          string `json:"region,omitempty"`
	AccessKeyID     string `json:"access_key_id,omitempty"`
	SecretAccessKey string `json:"secret_access_key,omitempty"`
	SessionToken    string `json:"session_token,omitempty"`
	// VirtualHosted addresses buckets as bucket.host instead of
	// host/bucket. Path-style is the default with an Endpoint (MinIO and
	// most S3-compatible servers expect it); without one, requests go to
	// AWS virtual-hosted.
	VirtualHosted bool `json:"virtual_hosted,omitempty"`
	// ConnectTimeout bounds opening a connection; 0 means 5s.
	ConnectTimeout time.Duration `json:"connect_timeout,omitempty"`
	// FirstByteTimeout bounds the wait for a response's headers once the
	// request is sent; 0 means 5s. It is what ends a request to a server
	// that accepts connections and never answers.
	FirstByteTimeout time.Duration `json:"first_byte_timeout,omitempty"`
	// RequestTimeout bounds one operation (a HEAD, a page of a listing, a
	// ranged read of at most a column chunk), retries included; 0 means
	// 30s.
	RequestTimeout time.Duration `json:"request_timeout,omitempty"`
	// MaxAttempts is how often a request is tried when it fails in a way
	// worth retrying (connection refused, 5xx, throttling); 0 means 3.
	MaxAttempts int `json:"max_attempts,omitempty"`
	// CacheDir, when set, keeps the blocks of objects read in a local
	// read-through cache there (see BlockCache), shared by the readers of
	// every process on the host that names the same directory. Empty (the
	// default) caches nothing; LAKEFRAME_S3_CACHE_DIR sets it from the
	// environment.
	CacheDir string `json:"cache_dir,omitempty"`
	// CacheMaxBytes bounds the cache on disk; 0 means 8 GiB, or
	// LAKEFRAME_S3_CACHE_MAX_BYTES.
	CacheMaxBytes int64 `json:"cache_max_bytes,omitempty"`
}

// Defaults of the zero fields of S3Config.
const (
	DefaultS3Region           = "us-east-1"
	DefaultS3ConnectTimeout   = 5 * time.Second
	DefaultS3FirstByteTimeout = 5 * time.Second
	DefaultS3RequestTimeout   = 30 * time.Second
	DefaultS3MaxAttempts      = 3
)

// Property keys of S3ConfigFromProps, the same that Iceberg catalogs and
// iceberg-go's FileIO use.
const (
	PropS3Endpoint        = "s3.endpoint"
	PropS3Region          = "s3.region"
	PropS3AccessKeyID     = "s3.access-key-id"
	PropS3SecretAccessKey = "s3.secret-access-key"
	PropS3SessionToken    = "s3.session-token"
	PropS3ForceVirtual    = "s3.force-virtual-addressing"
	PropS3ConnectTimeout  = "s3.connect-timeout"
)

// S3ConfigFromProps reads a config from Iceberg-style properties: the
// Prop* keys above. Other keys are ignored. A malformed value is an
// errs.ErrPlan error naming the key.
func S3ConfigFromProps(props map[string]string) (S3Config, error) {
	c := S3Config{
		Endpoint:        props[PropS3Endpoint],
		Region:          props[PropS3Region],
		AccessKeyID:     props[PropS3AccessKeyID],
		SecretAccessKey: props[PropS3SecretAccessKey],
		SessionToken:    props[PropS3SessionToken],
	}
	if c.Region == "" {
		c.Region = props["client.region"]
	}
	if v, ok := props[PropS3ForceVirtual]; ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return S3Config{}, fmt.Errorf("%w: %s=%q is not a boolean", errs.ErrPlan, PropS3ForceVirtual, v)
		}
		c.VirtualHosted = b
	}
	if v, ok := props[PropS3ConnectTimeout]; ok {
		d, err := parseSeconds(v)
		if err != nil {
			return S3Config{}, fmt.Errorf("%w: %s=%q: %w", errs.ErrPlan, PropS3ConnectTimeout, v, err)
		}
		c.ConnectTimeout = d
	}
	return c, nil
}

// parseSeconds reads a number of seconds or a Go duration.
func parseSeconds(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil {
		s, ferr := strconv.ParseFloat(v, 64)
		if ferr != nil {
			return 0, fmt.Errorf("neither seconds nor a duration")
		}
		d = time.Duration(s * float64(time.Second))
	}
	if d <= 0 {
		return 0, fmt.Errorf("must be positive")
	}
	return d, nil
}

// S3ConfigFromEnv reads the usual AWS environment variables:
// AWS_ENDPOINT_URL_S3 (else AWS_ENDPOINT_URL), AWS_REGION (else
// AWS_DEFAULT_REGION), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
// AWS_SESSION_TOKEN, and lakeframe's LAKEFRAME_S3_CACHE_DIR and
// LAKEFRAME_S3_CACHE_MAX_BYTES.
func S3ConfigFromEnv() S3Config {
	c := S3Config{
		Endpoint:        firstEnv("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"),
		Region:          firstEnv("AWS_REGION", "AWS_DEFAULT_REGION"),
		AccessKeyID:     os.Getenv("AWS_ACCESS_KEY_ID"),
		SecretAccessKey: os.Getenv("AWS_SECRET_ACCESS_KEY"),
		SessionToken:    os.Getenv("AWS_SESSION_TOKEN"),
		CacheDir:        os.Getenv(EnvS3CacheDir),
	}
	if v, err := strconv.ParseInt(os.Getenv(EnvS3CacheMaxBytes), 10, 64); err == nil {
		c.CacheMaxBytes = v
	}
	return c
}

// The environment variables that turn the S3 block cache on and bound it.
const (
	EnvS3CacheDir      = "LAKEFRAME_S3_CACHE_DIR"
	EnvS3CacheMaxBytes = "LAKEFRAME_S3_CACHE_MAX_BYTES"
)

func firstEnv(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// withEnv fills the empty connection fields from the environment. The
// credentials come as a pair: an explicit access key is never combined
// with a secret from the environment.
func (c S3Config) withEnv() S3Config {
	env := S3ConfigFromEnv()
	if c.Endpoint == "" {
		c.Endpoint = env.Endpoint
	}
	if c.Region == "" {
		c.Region = env.Region
	}
	if c.AccessKeyID == "" && c.SecretAccessKey == "" {
		c.AccessKeyID, c.SecretAccessKey, c.SessionToken = env.AccessKeyID, env.SecretAccessKey, env.SessionToken
	}
	if c.CacheDir == "" {
		c.CacheDir = env.CacheDir
	}
	if c.CacheMaxBytes == 0 {
		c.CacheMaxBytes = env.CacheMaxBytes
	}
	return c
}

func (c S3Config) region() string {
	if c.Region == "" {
		return DefaultS3Region
	}
	return c.Region
}

func (c S3Config) connectTimeout() time.Duration {
	return orDefault(c.ConnectTimeout, DefaultS3ConnectTimeout)
}

func (c S3Config) firstByteTimeout() time.Duration {
	return orDefault(c.FirstByteTimeout, DefaultS3FirstByteTimeout)
}

func (c S3Config) requestTimeout() time.Duration {
	return orDefault(c.RequestTimeout, DefaultS3RequestTimeout)
}

func (c S3Config) maxAttempts() int {
	if c.MaxAttempts <= 0 {
		return DefaultS3MaxAttempts
	}
	return c.MaxAttempts
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// endpointName is how errors name the server.
func (c S3Config) endpointName() string {
	if c.Endpoint == "" {
		return "aws s3 (" + c.region() + ")"
	}
	return c.Endpoint
}

const redacted = "[redacted]"

// String describes the config with the secret key and session token
// redacted.
func (c S3Config) String() string {
	var sb strings.Builder
	sb.WriteString("s3{endpoint=")
	sb.WriteString(c.endpointName())
	sb.WriteString(" region=" + c.region())
	if c.AccessKeyID != "" {
		sb.WriteString(" access_key_id=" + c.AccessKeyID)
	}
	if c.SecretAccessKey != "" {
		sb.WriteString(" secret_access_key=" + redacted)
	}
	if c.SessionToken != "" {
		sb.WriteString(" session_token=" + redacted)
	}
	if c.VirtualHosted {
		sb.WriteString(" virtual_hosted")
	}
	if c.CacheDir != "" {
		sb.WriteString(" cache=" + c.CacheDir)
	}
	sb.WriteString("}")
	return sb.String()
}

// GoString is String, so that %#v redacts too.
func (c S3Config) GoString() string { return c.String() }

// Format prints String for every verb, so that no verb (%+v, %#v, %s,
// %q, %x) reaches the fields.
func (c S3Config) Format(f fmt.State, verb rune) {
	switch verb {
	case 'q':
		fmt.Fprintf(f, "%q", c.String())
	default:
		fmt.Fprint(f, c.String())
	}
}
