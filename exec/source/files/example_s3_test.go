package files_test

import (
	"encoding/json"
	"fmt"

	"lakeframe/exec/source/files"
)

// The same properties an Iceberg catalog takes configure s3:// file
// reads; printing the config never shows the secret.
func ExampleS3ConfigFromProps() {
	cfg, err := files.S3ConfigFromProps(map[string]string{
		"s3.endpoint":          "http://127.0.0.1:9000",
		"s3.region":            "us-east-1",
		"s3.access-key-id":     "lakeframe",
		"s3.secret-access-key": "do-not-print-me",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg)
	fmt.Printf("%+v\n", cfg)
	// Output:
	// s3{endpoint=http://127.0.0.1:9000 region=us-east-1 access_key_id=lakeframe secret_access_key=[redacted]}
	// s3{endpoint=http://127.0.0.1:9000 region=us-east-1 access_key_id=lakeframe secret_access_key=[redacted]}
}

// The JSON form, which executors receive, keeps the secret so that they
// can open the same store.
func ExampleS3Config_json() {
	b, _ := json.Marshal(files.S3Config{Endpoint: "http://minio:9000", AccessKeyID: "ak", SecretAccessKey: "sk"})
	fmt.Println(string(b))
	// Output:
	// {"endpoint":"http://minio:9000","access_key_id":"ak","secret_access_key":"sk"}
}
