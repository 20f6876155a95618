<?xml version="1.0" encoding="UTF-8"?>
<!-- Shows feed.xml to people who open it in a browser; podcast apps ignore it and read the RSS. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:atom="http://www.w3.org/2005/Atom"
  exclude-result-prefixes="itunes atom">
<xsl:output method="html" encoding="UTF-8" indent="no" doctype-system="about:legacy-compat"/>
<xsl:variable name="feed" select="/rss/channel/atom:link[@rel='self']/@href"/>
<xsl:template match="/">
<html lang="{{ lang }}">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>{{ t.feed_title }} <xsl:value-of select="/rss/channel/title"/></title>
<link rel="stylesheet" href="{{ css }}"/>
{% include "palette.html" %}
</head>
<body>
<header class="top">
<a class="brand" href="{{ home }}"><xsl:value-of select="/rss/channel/title"/></a>
<span class="rss">{{ t.rss }}</span>
</header>
<main id="main">
<section class="show">
<xsl:if test="/rss/channel/itunes:image/@href">
<img class="art" width="200" height="200" alt=""><xsl:attribute name="src"><xsl:value-of select="/rss/channel/itunes:image/@href"/></xsl:attribute></img>
</xsl:if>
<div class="intro">
<h1><xsl:value-of select="/rss/channel/title"/></h1>
<p class="author"><xsl:value-of select="/rss/channel/itunes:author"/></p>
<p class="description"><xsl:value-of select="/rss/channel/description"/></p>
</div>
</section>
<section class="subscribe">
<h2>{{ t.subscribe }}</h2>
<p>{{ t.feed_page_intro }}</p>
<div class="feed"><div class="copy"><input type="url" readonly="readonly" aria-label="{{ t.feed_label }}"><xsl:attribute name="value"><xsl:value-of select="$feed"/></xsl:attribute></input></div></div>
<p>{{ t.feed_page_copy }} <a href="{{ home }}">{{ t.website }}</a></p>
</section>
<section class="list">
<h2>{{ t.episodes }}</h2>
<ol class="episodes">
<xsl:for-each select="/rss/channel/item">
<li>
<h3><xsl:choose>
<xsl:when test="link"><a><xsl:attribute name="href"><xsl:value-of select="link"/></xsl:attribute><xsl:value-of select="title"/></a></xsl:when>
<xsl:otherwise><xsl:value-of select="title"/></xsl:otherwise>
</xsl:choose></h3>
<p class="meta"><xsl:value-of select="substring(pubDate, 1, 16)"/>
<xsl:if test="itunes:duration"> · <xsl:value-of select="floor(itunes:duration div 60)"/>:<xsl:value-of select="format-number(itunes:duration mod 60, '00')"/></xsl:if></p>
<a class="play"><xsl:attribute name="href"><xsl:value-of select="enclosure/@url"/></xsl:attribute>{{ t.download }}</a>
</li>
</xsl:for-each>
</ol>
</section>
</main>
</body>
</html>
</xsl:template>
</xsl:stylesheet>
