using WebApi;

// A minimal API over Persistence. Try it (the key is in appsettings.json):
//   curl -H 'X-Api-Key: demo-key-change-me' -H 'Content-Type: application/json' \
//        -d '{"sku":"KB-1","name":"Keyboard","category":"input","price":49.5,"stock":3}' http://127.0.0.1:5080/products
//   curl -H 'X-Api-Key: demo-key-change-me' 'http://127.0.0.1:5080/products?category=input&maxPrice=100'
var app = ApiApplication.Build(args);
app.Run();
