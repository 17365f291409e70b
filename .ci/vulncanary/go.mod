module example.com/vulncanary

go 1.25

require golang.org/x/text v0.3.5
