package remote

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"time"

	"lakeframe/errs"
)

// TLS is one side's mutual TLS identity, all PEM: the certificate
// authority that signs the other side's certificates, and this side's
// certificate and private key. Executors on other hosts accept only
// coordinators whose certificate the executor's CA signed, and the other
// way round; both speak TLS 1.3 only.
type TLS struct {
	CA, Cert, Key []byte
}

// LoadTLS reads a TLS identity from PEM files.
func LoadTLS(caFile, certFile, keyFile string) (TLS, error) {
	var t TLS
	for _, f := range []struct {
		name string
		dst  *[]byte
	}{{caFile, &t.CA}, {certFile, &t.Cert}, {keyFile, &t.Key}} {
		b, err := os.ReadFile(f.name)
		if err != nil {
			return TLS{}, fmt.Errorf("%w: read TLS file: %w", errs.ErrPlan, err)
		}
		*f.dst = b
	}
	return t, nil
}

// identity parses the CA and the key pair.
func (t TLS) identity() (*x509.CertPool, tls.Certificate, error) {
	if len(t.CA) == 0 || len(t.Cert) == 0 || len(t.Key) == 0 {
		return nil, tls.Certificate{}, fmt.Errorf("%w: executors on other hosts need mutual TLS: a CA, a certificate and a key", errs.ErrPlan)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(t.CA) {
		return nil, tls.Certificate{}, fmt.Errorf("%w: TLS CA: no PEM certificate", errs.ErrPlan)
	}
	pair, err := tls.X509KeyPair(t.Cert, t.Key)
	if err != nil {
		return nil, tls.Certificate{}, fmt.Errorf("%w: TLS certificate and key: %w", errs.ErrPlan, err)
	}
	return pool, pair, nil
}

// serverConfig requires and verifies a client certificate.
func (t TLS) serverConfig() (*tls.Config, error) {
	pool, pair, err := t.identity()
	if err != nil {
		return nil, err
	}
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{pair},
		ClientCAs:    pool,
		ClientAuth:   tls.RequireAndVerifyClientCert,
	}, nil
}

// clientConfig verifies the executor's certificate against the CA and the
// address dialled (gRPC fills in the server name).
func (t TLS) clientConfig() (*tls.Config, error) {
	pool, pair, err := t.identity()
	if err != nil {
		return nil, err
	}
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{pair},
		RootCAs:      pool,
	}, nil
}

// ThrowawayTLS makes a new certificate authority and, signed by it, an
// executor certificate valid for hosts (IP addresses or DNS names) and a
// coordinator certificate, valid for a day. It is meant for tests and
// examples: a real deployment uses certificates from its own CA.
func ThrowawayTLS(hosts ...string) (executor, coordinator TLS, err error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return TLS{}, TLS{}, err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "lakeframe throwaway CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return TLS{}, TLS{}, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return TLS{}, TLS{}, err
	}
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	leaf := func(cn string, usage x509.ExtKeyUsage, hosts []string) (TLS, error) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return TLS{}, err
		}
		tmpl := &x509.Certificate{
			SerialNumber: serial(),
			Subject:      pkix.Name{CommonName: cn},
			NotBefore:    now.Add(-time.Hour),
			NotAfter:     now.Add(24 * time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{usage},
		}
		for _, h := range hosts {
			if ip := net.ParseIP(h); ip != nil {
				tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
			} else {
				tmpl.DNSNames = append(tmpl.DNSNames, h)
			}
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			return TLS{}, err
		}
		keyDER, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return TLS{}, err
		}
		return TLS{
			CA:   caPEM,
			Cert: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
			Key:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
		}, nil
	}
	if executor, err = leaf("lakeframe executor", x509.ExtKeyUsageServerAuth, hosts); err != nil {
		return TLS{}, TLS{}, err
	}
	if coordinator, err = leaf("lakeframe coordinator", x509.ExtKeyUsageClientAuth, nil); err != nil {
		return TLS{}, TLS{}, err
	}
	return executor, coordinator, nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return big.NewInt(time.Now().UnixNano())
	}
	return n
}
