package pgwire

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// scramIterations is PostgreSQL's default for SCRAM-SHA-256 secrets.
const scramIterations = 4096

// scramSecret is what the server keeps of a password: enough to check a
// client's proof and to prove itself back, not the password.
type scramSecret struct {
	salt       []byte
	iterations int
	storedKey  []byte
	serverKey  []byte
}

func newScramSecret(password string) (*scramSecret, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	return scramSecretFor(password, salt, scramIterations)
}

func scramSecretFor(password string, salt []byte, iterations int) (*scramSecret, error) {
	salted, err := pbkdf2.Key(sha256.New, password, salt, iterations, sha256.Size)
	if err != nil {
		return nil, err
	}
	clientKey := hmacSHA256(salted, "Client Key")
	stored := sha256.Sum256(clientKey)
	return &scramSecret{salt: salt, iterations: iterations, storedKey: stored[:], serverKey: hmacSHA256(salted, "Server Key")}, nil
}

func hmacSHA256(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}

// errSCRAMProof is a wrong password (or a client that got the exchange
// wrong in a way indistinguishable from one).
var errSCRAMProof = errors.New("wrong proof")

// scramExchange is the server side of one SCRAM-SHA-256 exchange (RFC 5802,
// RFC 7677) without channel binding.
type scramExchange struct {
	secret          *scramSecret
	clientFirstBare string
	serverFirst     string
	nonce           string
}

// first reads the client-first message and returns the server-first one.
func (x *scramExchange) first(clientFirst string) (string, error) {
	// gs2 header: "n,," (no channel binding) or "y,," (client could, but
	// thinks the server cannot); "p=…" asks for binding we do not offer.
	header, bare, ok := cutN(clientFirst, ',', 2)
	if !ok || (!strings.HasPrefix(header, "n,") && !strings.HasPrefix(header, "y,")) {
		return "", fmt.Errorf("unsupported SCRAM channel binding or malformed client-first message")
	}
	var clientNonce string
	for attr := range strings.SplitSeq(bare, ",") {
		if v, ok := strings.CutPrefix(attr, "r="); ok {
			clientNonce = v
		}
	}
	if clientNonce == "" {
		return "", fmt.Errorf("SCRAM client-first message has no nonce")
	}
	raw := make([]byte, 18)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	x.clientFirstBare = bare
	x.nonce = clientNonce + base64.StdEncoding.EncodeToString(raw)
	x.serverFirst = "r=" + x.nonce + ",s=" + base64.StdEncoding.EncodeToString(x.secret.salt) + ",i=" + strconv.Itoa(x.secret.iterations)
	return x.serverFirst, nil
}

// final checks the client-final message's proof and returns the
// server-final message, or errSCRAMProof.
func (x *scramExchange) final(clientFinal string) (string, error) {
	i := strings.LastIndex(clientFinal, ",p=")
	if i < 0 {
		return "", fmt.Errorf("SCRAM client-final message has no proof")
	}
	withoutProof, proofB64 := clientFinal[:i], clientFinal[i+3:]
	var nonce string
	for attr := range strings.SplitSeq(withoutProof, ",") {
		if v, ok := strings.CutPrefix(attr, "r="); ok {
			nonce = v
		}
	}
	proof, err := base64.StdEncoding.DecodeString(proofB64)
	if err != nil || len(proof) != sha256.Size || nonce != x.nonce {
		return "", errSCRAMProof
	}
	authMessage := x.clientFirstBare + "," + x.serverFirst + "," + withoutProof
	signature := hmacSHA256(x.secret.storedKey, authMessage)
	clientKey := make([]byte, len(proof))
	for i := range proof {
		clientKey[i] = proof[i] ^ signature[i]
	}
	stored := sha256.Sum256(clientKey)
	if !hmac.Equal(stored[:], x.secret.storedKey) {
		return "", errSCRAMProof
	}
	return "v=" + base64.StdEncoding.EncodeToString(hmacSHA256(x.secret.serverKey, authMessage)), nil
}

// cutN splits s after its n-th sep: the part before (with the separators)
// and the rest.
func cutN(s string, sep byte, n int) (string, string, bool) {
	for i := range len(s) {
		if s[i] == sep {
			n--
			if n == 0 {
				return s[:i+1], s[i+1:], true
			}
		}
	}
	return "", "", false
}
