module example.com/downstream

go 1.24

require example.com/shop v0.0.0

replace example.com/shop => ../example
