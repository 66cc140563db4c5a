// Package exectest holds helpers shared by the exec operator tests:
// building Arrow arrays from Go values, reading them back, and comparing
// test values. Test values are Go values with nil for null; see NewArray
// for the accepted forms.
package exectest
