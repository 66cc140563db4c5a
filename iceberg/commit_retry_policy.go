package iceberg

import (
	"math/rand/v2"
	"time"

	iceberg "github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
)

// defaultNumRetries applies to tables without commit.retry.num-retries
// (iceberg-go's own default is none).
const defaultNumRetries = 16

// retryPolicy is a table's commit.retry.* settings.
type retryPolicy struct {
	retries          int
	minWait, maxWait time.Duration
	total            time.Duration
}

func retryPolicyOf(props iceberg.Properties) retryPolicy {
	ms := func(key string, def int) time.Duration {
		return time.Duration(props.GetInt(key, def)) * time.Millisecond
	}
	p := retryPolicy{
		retries: props.GetInt(table.CommitNumRetriesKey, defaultNumRetries),
		minWait: ms(table.CommitMinRetryWaitMsKey, table.CommitMinRetryWaitMsDefault),
		maxWait: ms(table.CommitMaxRetryWaitMsKey, table.CommitMaxRetryWaitMsDefault),
		total:   ms(table.CommitTotalRetryTimeoutMsKey, table.CommitTotalRetryTimeoutMsDefault),
	}
	p.retries = max(p.retries, 0)
	p.minWait = max(p.minWait, time.Millisecond)
	p.maxWait = max(p.maxWait, p.minWait)
	return p
}

// backoff is the wait before retry number attempt (1-based): uniformly
// random between minWait and an exponentially growing cap, so writers
// that collided spread out instead of colliding again.
func (p retryPolicy) backoff(attempt int) time.Duration {
	ceil := p.maxWait
	if attempt < 30 {
		ceil = min(p.maxWait, p.minWait<<attempt)
	}
	if ceil <= p.minWait {
		return p.minWait
	}
	return p.minWait + rand.N(ceil-p.minWait)
}
