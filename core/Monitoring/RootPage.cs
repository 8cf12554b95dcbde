using System.Net;
using System.Text;

namespace Nats.Core.Monitoring;

/// <summary>
/// The root page (<c>/</c>): nats-server's page of links to the endpoints, listing what is
/// registered here, kernel and plugin endpoints alike, in nats-server's order.
/// </summary>
internal static class RootPage
{
    // nats-server's logo and styles, so the page looks the same to people who know it.
    private const string Head = """
        <html lang="en">
        <head>
        <link rel="shortcut icon" href="https://nats.io/favicon.ico">
        <style type="text/css">
          body { font-family: ui-sans-serif,system-ui,-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif; font-size: 18; font-weight: light-bold; margin-left: 32px }
          a { display:block; margin-left: 7px; padding-bottom: 6px; color: rgb(72 72 92); text-decoration: none }
          a:hover { font-weight: 600; color: rgb(59 50 202) }
          a.help { display:inline; font-weight: 600; color: rgb(59 50 202); font-size: 20}
          a.last { padding-bottom: 16px }
          a.version { font-size: 14; font-weight: 400; width: 312px; text-align: right; margin-top: -2rem }
          a.version:hover { color: rgb(22 22 32) }
          .endpoint { font-size: 12px; color: #999; font-family: monospace; display: none }
          a:hover .endpoint { display: inline }
        </style>
        </head>
        <body>
        <svg xmlns="http://www.w3.org/2000/svg" role="img" width="325" height="110" viewBox="-4.14 -3.89 436.28 119.03"><style>.st1{fill:#fff}.st2{fill:#34a574}</style><path fill="#27aae1" d="M4.3 84.6h42.2L70.7 107V84.6H103v-80H4.3v80zm15.9-61.3h18.5l35.6 33.2V23.3h11.8v42.9H68.2L32 32.4v33.8H20.2V23.3z"/><path d="M32 32.4l36.2 33.8h17.9V23.3H74.3v33.2L38.7 23.3H20.2v42.9H32z" class="st1"/><path d="M159.8 30.7L147 49h25.6z" class="st2"/><path d="M111.3 84.6H210v-80h-98.7v80zm41-61.5H168l30.8 43.2h-14.1l-5.8-8.3h-38.1l-5.8 8.3h-13.5l30.8-43.2z" class="st2"/><path d="M140.8 57.9h38.1l5.8 8.3h14.1L168 23.1h-15.7l-30.8 43.2H135l5.8-8.4zm19-27.2L172.6 49H147l12.8-18.3z" class="st1"/><path fill="#375c93" d="M218.3 84.6H317v-80h-98.7v80zm15.5-61.3h66.7V33h-27.2v33.2h-12.2V33h-27.3v-9.7z"/><path d="M261.1 66.2h12.2V33h27.2v-9.7h-66.7V33h27.3z" class="st1"/><path fill="#8dc63f" d="M325.3 4.6v80H424v-80h-98.7zm76.5 56.7c-3.2 3.2-10.2 5.7-26.8 5.7-12.3 0-24.1-1.9-30.7-4.7v-10c6.3 2.8 20.1 5.5 30.7 5.5 9.3 0 15.8-.3 17.5-2.1.6-.6.7-1.3.7-2 0-.8-.2-1.3-.7-1.8-1-1-2.6-1.7-17.4-2.1-15.7-.4-23.4-2-27-5.6-1.7-1.7-2.6-4.4-2.6-7.5 0-3.3.6-6.2 3.3-8.9 3.6-3.6 10.7-5.3 25.1-5.3 10.8 0 21.6 1.7 27.3 4v10.1c-6.5-2.8-17.8-4.8-27.2-4.8-10.4 0-14.8.6-16.2 2-.5.5-.8 1.1-.8 1.9 0 .9.2 1.5.7 2 1.3 1.3 6.1 1.7 17.3 1.9 16.4.4 23.5 1.8 27 5.2 1.8 1.8 2.8 4.7 2.8 7.7.1 3.2-.6 6.4-3 8.8z"/><path d="M375.2 39.5c-11.2-.2-16-.6-17.3-1.9-.5-.5-.7-1.1-.7-2 0-.8.3-1.4.8-1.9 1.3-1.3 5.8-2 16.2-2 9.4 0 20.7 2 27.2 4.8v-10c-5.7-2.3-16.6-4-27.3-4-14.5 0-21.6 1.8-25.1 5.3-2.7 2.7-3.3 5.6-3.3 8.9 0 3.1 1 5.8 2.6 7.5 3.6 3.6 11.3 5.2 27 5.6 14.8.4 16.4 1.1 17.4 2.1.5.5.7 1 .7 1.8 0 .7-.1 1.3-.7 2-1.8 1.8-8.3 2.1-17.5 2.1-10.6 0-24.3-2.6-30.7-5.5v10.1c6.6 2.8 18.4 4.7 30.7 4.7 16.6 0 23.6-2.5 26.8-5.7 2.4-2.4 3.1-5.6 3.1-8.9 0-3.1-1-5.9-2.8-7.7-3.6-3.5-10.7-4.9-27.1-5.3z" class="st1"/></svg>
        """;

    // nats-server's titles and order; endpoints only a plugin provides appear once registered.
    private static readonly string[] Order =
        ["/varz", "/jsz", "/connz", "/accountz", "/accstatz", "/subsz", "/routez", "/leafz", "/gatewayz", "/raftz", "/healthz", "/debug/vars"];

    public static MonitoringResponse Handle(MonitoringServer monitoring)
    {
        var links = monitoring.Links
            .OrderBy(l => Array.IndexOf(Order, l.Path) is var i and >= 0 ? i : Order.Length)
            .ToList();
        var page = new StringBuilder(Head.Length + 1024);
        page.Append(Head).Append('\n');
        page.Append("<a href=https://github.com/nats-io/nats-server class='version'>v")
            .Append(WebUtility.HtmlEncode(ServerVersion.CompatibleNatsVersion)).Append("</a>\n<br/>\n");
        for (var i = 0; i < links.Count; i++)
        {
            var (path, title) = links[i];
            var href = monitoring.BasePath.Length > 0 ? monitoring.BasePath + path : "." + path;
            page.Append("<a href=").Append(href).Append(i == links.Count - 1 ? " class=last>" : ">")
                .Append(WebUtility.HtmlEncode(title))
                .Append("<span class=\"endpoint\"> ").Append(path).Append("</span></a>\n");
        }
        page.Append("<a href=https://docs.nats.io/running-a-nats-service/nats_admin/monitoring class=\"help\">Help</a>\n</body>\n</html>\n");
        return MonitoringResponse.Html(page.ToString());
    }
}
