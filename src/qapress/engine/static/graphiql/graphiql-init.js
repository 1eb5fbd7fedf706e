// Starts GraphiQL against the endpoint that served this page; kept out of the HTML so the page works
// under a Content-Security-Policy without 'unsafe-inline' scripts.
(function () {
  var endpoint = document.body.getAttribute("data-endpoint") || window.location.pathname;
  var fetcher = GraphiQL.createFetcher({ url: endpoint });
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQL, { fetcher: fetcher, defaultEditorToolbarOpen: true }));
})();
