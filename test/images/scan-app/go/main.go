// greeter is the Go binary of Berth's scan-app test image: a program with a few module
// dependencies, its version stamped through -ldflags, as release builds do.
package main

import (
	"fmt"
	"os"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
)

var version = "dev"

func main() {
	name := "world"
	if len(os.Args) > 1 {
		name = os.Args[1]
	}
	fmt.Printf("%s, %s (greeter %s)\n", cases.Title(language.English).String("hello"), name, version)
}
