package remote

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"lakeframe/expr"
)

// exprJSON is one expression node on the wire: a kind tag, the node's own
// attributes and its children in Children() order. Types and literal values
// travel as Arrow IPC, so every Arrow type round-trips without a type
// table of our own.
type exprJSON struct {
	Kind       string      `json:"k"`
	Name       string      `json:"name,omitempty"`
	Op         int         `json:"op,omitempty"`
	Kids       []*exprJSON `json:"kids,omitempty"`
	Type       []byte      `json:"type,omitempty"`
	Value      []byte      `json:"value,omitempty"`
	Untyped    bool        `json:"untyped,omitempty"`
	HasElse    bool        `json:"else,omitempty"`
	Desc       bool        `json:"desc,omitempty"`
	NullsFirst bool        `json:"nulls_first,omitempty"`
	Fraction   float64     `json:"frac,omitempty"`
	Try        bool        `json:"try,omitempty"`
}

// MarshalExprs encodes resolved expressions in the codec plans travel in,
// for sources whose tasks carry expressions.
func MarshalExprs(ns []expr.Node) ([]byte, error) {
	js, err := encodeExprs(ns)
	if err != nil {
		return nil, err
	}
	return json.Marshal(js)
}

// UnmarshalExprs decodes what MarshalExprs wrote.
func UnmarshalExprs(b []byte) ([]expr.Node, error) {
	var js []*exprJSON
	if err := json.Unmarshal(b, &js); err != nil {
		return nil, err
	}
	return decodeExprs(js)
}

func encodeExprs(ns []expr.Node) ([]*exprJSON, error) {
	out := make([]*exprJSON, len(ns))
	for i, n := range ns {
		var err error
		if out[i], err = encodeExpr(n); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func decodeExprs(js []*exprJSON) ([]expr.Node, error) {
	out := make([]expr.Node, len(js))
	for i, j := range js {
		var err error
		if out[i], err = decodeExpr(j); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func encodeExpr(n expr.Node) (*exprJSON, error) {
	if n == nil {
		return nil, nil
	}
	kids, err := encodeExprs(n.Children())
	if err != nil {
		return nil, err
	}
	j := &exprJSON{Kids: kids}
	switch x := n.(type) {
	case *expr.Column:
		j.Kind, j.Name = "col", x.Name
	case *expr.Literal:
		j.Kind, j.Untyped = "lit", x.Untyped
		if j.Value, err = encodeScalar(x.Value); err != nil {
			return nil, fmt.Errorf("literal %s: %w", x, err)
		}
	case *expr.Binary:
		j.Kind, j.Op = "binary", int(x.Op)
	case *expr.Unary:
		j.Kind, j.Op = "unary", int(x.Op)
	case *expr.IsIn:
		j.Kind = "isin"
	case *expr.Cast:
		j.Kind, j.Try = "cast", x.Try
		if j.Type, err = encodeType(x.To); err != nil {
			return nil, fmt.Errorf("cast %s: %w", x, err)
		}
	case *expr.Alias:
		j.Kind, j.Name = "alias", x.Name
	case *expr.Case:
		j.Kind, j.HasElse = "case", x.Else != nil
	case *expr.Call:
		j.Kind, j.Op = "call", int(x.Fn)
	case *expr.Agg:
		j.Kind, j.Op, j.Fraction = "agg", int(x.Fn), x.Fraction
	case *expr.SortKey:
		j.Kind, j.Desc, j.NullsFirst = "sortkey", x.Desc, x.NullsFirst
	default:
		return nil, fmt.Errorf("expression %s (%T) cannot be sent to an executor", n, n)
	}
	return j, nil
}

func decodeExpr(j *exprJSON) (expr.Node, error) {
	if j == nil {
		return nil, nil
	}
	kids, err := decodeExprs(j.Kids)
	if err != nil {
		return nil, err
	}
	arity := func(want int) error {
		if len(kids) != want {
			return fmt.Errorf("%s: want %d children, got %d", j.Kind, want, len(kids))
		}
		return nil
	}
	switch j.Kind {
	case "col":
		return &expr.Column{Name: j.Name}, arity(0)
	case "lit":
		s, err := decodeScalar(j.Value)
		if err != nil {
			return nil, err
		}
		return &expr.Literal{Value: s, Untyped: j.Untyped}, arity(0)
	case "binary":
		if err := arity(2); err != nil {
			return nil, err
		}
		return &expr.Binary{Op: expr.BinaryOp(j.Op), Left: kids[0], Right: kids[1]}, nil
	case "unary":
		if err := arity(1); err != nil {
			return nil, err
		}
		return &expr.Unary{Op: expr.UnaryOp(j.Op), In: kids[0]}, nil
	case "isin":
		if len(kids) < 1 {
			return nil, fmt.Errorf("isin: no input")
		}
		return &expr.IsIn{In: kids[0], List: kids[1:]}, nil
	case "cast":
		if err := arity(1); err != nil {
			return nil, err
		}
		t, err := decodeType(j.Type)
		if err != nil {
			return nil, err
		}
		return &expr.Cast{In: kids[0], To: t, Try: j.Try}, nil
	case "alias":
		if err := arity(1); err != nil {
			return nil, err
		}
		return &expr.Alias{In: kids[0], Name: j.Name}, nil
	case "case":
		c := &expr.Case{}
		if j.HasElse {
			if len(kids) == 0 {
				return nil, fmt.Errorf("case: no else")
			}
			c.Else, kids = kids[len(kids)-1], kids[:len(kids)-1]
		}
		if len(kids)%2 != 0 {
			return nil, fmt.Errorf("case: odd number of when/then children")
		}
		for i := 0; i < len(kids); i += 2 {
			c.Whens = append(c.Whens, kids[i])
			c.Thens = append(c.Thens, kids[i+1])
		}
		return c, nil
	case "call":
		// NewCall compiles a regular expression pattern once, here.
		c, err := expr.NewCall(expr.ScalarFunc(j.Op), kids)
		if err != nil {
			return nil, err
		}
		return c, nil
	case "agg":
		a := &expr.Agg{Fn: expr.AggFunc(j.Op), Fraction: j.Fraction}
		if len(kids) > 1 {
			return nil, fmt.Errorf("agg: want at most 1 child, got %d", len(kids))
		}
		if len(kids) == 1 {
			a.In = kids[0]
		}
		return a, nil
	case "sortkey":
		if err := arity(1); err != nil {
			return nil, err
		}
		return &expr.SortKey{In: kids[0], Desc: j.Desc, NullsFirst: j.NullsFirst}, nil
	}
	return nil, fmt.Errorf("unknown expression kind %q", j.Kind)
}

// encodeSchema writes a schema, with its metadata, as an IPC schema
// message.
func encodeSchema(s *arrow.Schema) ([]byte, error) {
	// Copied: the serialized bytes may alias a pooled buffer.
	return append([]byte(nil), flight.SerializeSchema(s, memory.DefaultAllocator)...), nil
}

func decodeSchema(b []byte) (*arrow.Schema, error) {
	s, err := flight.DeserializeSchema(b, memory.DefaultAllocator)
	if err != nil {
		return nil, fmt.Errorf("decode schema (%d bytes): %w", len(b), err)
	}
	return s, nil
}

func encodeType(t arrow.DataType) ([]byte, error) {
	return encodeSchema(arrow.NewSchema([]arrow.Field{{Name: "t", Type: t, Nullable: true}}, nil))
}

func decodeType(b []byte) (arrow.DataType, error) {
	s, err := decodeSchema(b)
	if err != nil {
		return nil, err
	}
	if s.NumFields() != 1 {
		return nil, fmt.Errorf("decode type: want 1 field, got %d", s.NumFields())
	}
	return s.Field(0).Type, nil
}

// encodeScalar writes a scalar as a one-row IPC batch.
func encodeScalar(s scalar.Scalar) ([]byte, error) {
	arr, err := scalar.MakeArrayFromScalar(s, 1, memory.DefaultAllocator)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	schema := arrow.NewSchema([]arrow.Field{{Name: "v", Type: s.DataType(), Nullable: true}}, nil)
	rec := array.NewRecordBatch(schema, []arrow.Array{arr}, 1)
	defer rec.Release()
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(schema))
	if err := w.Write(rec); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func decodeScalar(b []byte) (scalar.Scalar, error) {
	r, err := ipc.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("decode literal: %w", err)
	}
	defer r.Release()
	if !r.Next() {
		if err := r.Err(); err != nil {
			return nil, fmt.Errorf("decode literal: %w", err)
		}
		return nil, fmt.Errorf("decode literal: no value")
	}
	rec := r.RecordBatch()
	if rec.NumCols() != 1 || rec.NumRows() != 1 {
		return nil, fmt.Errorf("decode literal: want 1x1 batch, got %dx%d", rec.NumRows(), rec.NumCols())
	}
	// The scalar may point into the batch's buffers; they stay alive
	// while it is referenced.
	return scalar.GetScalar(rec.Column(0), 0)
}
