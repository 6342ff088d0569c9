"""XSS payloads written for this project's suite, grouped by the trick they try.

Each one, if it ran, would call one of the trapped functions (alert, confirm,
prompt, fetch, open) or leave an event handler or a script URL in the page.
"""

JS = ["alert(1)", "confirm(1)", "prompt(1)", "fetch('/xss')", "window.open('/xss')"]

EVENT_HANDLERS = [
    "<img src=x onerror={js}>",
    '<img src="x" onerror="{js}">',
    "<img src=x oNeRrOr='{js}'>",
    "<svg onload={js}>",
    "<svg><animate onbegin={js} attributeName=x dur=1s>",
    "<body onload={js}>",
    "<input autofocus onfocus={js}>",
    "<details open ontoggle={js}>",
    "<video src=x onerror={js}></video>",
    "<audio src=x onerror={js}></audio>",
    "<iframe onload={js}></iframe>",
    "<marquee onstart={js}>x</marquee>",
    "<div onmouseover={js}>hover</div>",
    "<a onclick={js}>click</a>",
    "<b onpointerenter={js}>x</b>",
    "<select autofocus onfocus={js}></select>",
    "<textarea autofocus onfocus={js}></textarea>",
    "<object data=x onerror={js}></object>",
    "<img src=x:x onerror&#x3D;{js}>",
    "<img/src=x/onerror={js}>",
]

URLS = [
    '<a href="javascript:{js}">x</a>',
    '<a href="JaVaScRiPt:{js}">x</a>',
    '<a href=" javascript:{js}">x</a>',
    '<a href="&#106;avascript:{js}">x</a>',
    '<a href="&#x6A;avascript&#x3A;{js}">x</a>',
    '<a href="java&#x09;script:{js}">x</a>',
    '<a href="java&#x0A;script:{js}">x</a>',
    '<a href="javascript&colon;{js}">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="data:text/html,<script>{js}</script>">x</a>',
    '<iframe src="javascript:{js}"></iframe>',
    '<iframe src="data:text/html,<script>{js}</script>"></iframe>',
    '<iframe srcdoc="<script>{js}</script>"></iframe>',
    '<form action="javascript:{js}"><button>go</button></form>',
    '<button formaction="javascript:{js}">go</button>',
    '<object data="javascript:{js}"></object>',
    '<embed src="javascript:{js}">',
    '<base href="javascript:{js}//">',
    '<link rel=stylesheet href="javascript:{js}">',
    '<img src="javascript:{js}">',
    '<math><a xlink:href="javascript:{js}">x</a></math>',
    '<svg><a xlink:href="javascript:{js}"><text y=20>x</text></a></svg>',
    '<meta http-equiv="refresh" content="0;url=javascript:{js}">',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="\\x01javascript:{js}">x</a>',
]

NAMESPACES = [
    "<svg><script>{js}</script></svg>",
    "<svg><style><img src=x onerror={js}></style></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror={js}>",
    '<svg></p><style><a title="</style><img src=x onerror={js}>">',
    "<math><style><img src=x onerror={js}></style></math>",
    "<svg><foreignObject><img src=x onerror={js}></foreignObject></svg>",
    "<svg><title><img src=x onerror={js}></title></svg>",
    '<math><annotation-xml encoding="text/html"><img src=x onerror={js}>',
    "<svg><desc><img src=x onerror={js}></desc></svg>",
    "<svg><use href=\"data:image/svg+xml,<svg id=x onload='{js}'>#x\"/></svg>",
]

MUTATIONS = [
    '<noscript><p title="</noscript><img src=x onerror={js}>">',
    '<p title="</p><img src=x onerror={js}>">',
    "<title><img src=x onerror={js}></title>",
    "<textarea><img src=x onerror={js}></textarea>",
    "<xmp><img src=x onerror={js}></xmp>",
    "<!--><img src=x onerror={js}>-->",
    "<!-- --!><img src=x onerror={js}>-->",
    "<![CDATA[><img src=x onerror={js}>]]>",
    "<scr<script>ipt>{js}</script>",
    "<<script>{js}//<</script>",
    "<template><img src=x onerror={js}></template>",
    "<style><img src=x onerror={js}></style>",
    "<table><td><img src=x onerror={js}></table>",
    "<select><option><img src=x onerror={js}></option></select>",
    "<form><math><mtext></form><form><mglyph><style></math><img src=x onerror={js}>",
    '<a href="</a><img src=x onerror={js}>">x</a>',
    '<img src="`><img src=x onerror={js}>">',
    '<div id="x"><img src="x" alt="</div><img src=x onerror={js}>"></div>',
]

STYLES = [
    '<b style="background:url(javascript:{js})">x</b>',
    '<div style="width:expression({js})">x</div>',
    '<style>@import "javascript:{js}";</style>',
    '<div style="behavior:url(x.htc)">x</div>',
    '<p style="x:\\65 xpression({js})">x</p>',
    '<style>*{{background:url("javascript:{js}")}}</style>',
    '<link rel="stylesheet" href="data:text/css,*{{x:expression({js})}}">',
    '<div style="-moz-binding:url(x.xml#xss)">x</div>',
]

BREAKOUTS = [
    '"><img src=x onerror={js}>',
    "'><img src=x onerror={js}>",
    "`><img src=x onerror={js}>",
    '" onmouseover="{js}" x="',
    "' onfocus='{js}' autofocus x='",
    "</textarea><img src=x onerror={js}>",
    "</title><img src=x onerror={js}>",
    "</script><script>{js}</script>",
    '<a href="https://example.org" title="x" onclick="{js}">x</a>',
    "<a href=https://example.org onclick={js}>x</a>",
]

TEMPLATE_SYNTAX = [
    "{{{{7*7}}}}",
    "{{{{ request.user.password }}}}",
    "{{% debug %}}",
    "{{% load static %}}{{% static 'x' %}}",
    "${{7*7}}",
    "<%= 7*7 %>",
    "#{{7*7}}",
    "{{{{constructor.constructor('alert(1)')()}}}}",
    "[[${{7*7}}]]",
    "{{{{ settings.SECRET_KEY }}}}",
]


def payloads() -> list[str]:
    """Every template with every JavaScript body, plus the template strings."""
    found = []
    for group in (EVENT_HANDLERS, URLS, NAMESPACES, MUTATIONS, STYLES, BREAKOUTS):
        for index, template in enumerate(group):
            # Rotate the JavaScript bodies so each family tries every trap.
            found.append(template.format(js=JS[index % len(JS)]))
            found.append(template.format(js=JS[(index + 2) % len(JS)]))
    found.extend(template.format() for template in TEMPLATE_SYNTAX)
    return list(dict.fromkeys(found))
