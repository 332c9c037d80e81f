#!/usr/bin/perl

# Copyright (C) 2026, The Sluice authors.
#
# The reference documentation says what the code does:
#
#   docs.pl SRC_DIR DOCS_DIR
#
# * every directive of the code (ngx_string("sluice_...") in a command
#   table) has a "### name" section in directives.md with its Syntax,
#   Default and Context lines, and every section names a directive of the
#   code;
# * every collection of the API router (the collections of the resource
#   types, their operation collections, the segments the router matches)
#   and every action name appears as a path segment in a route of api.md,
#   and every literal segment of a documented route is one the router
#   knows.
#
# Prints one line per mismatch and exits 1 when there is any.

use strict;
use warnings;

use File::Find;

my ($src, $docs) = @ARGV;
die "usage: $0 SRC_DIR DOCS_DIR\n" unless $src && $docs;

my @bad;

sub slurp {
    my ($f) = @_;
    open my $fh, '<', $f or die "$f: $!\n";
    local $/;
    return scalar <$fh>;
}

my %code;       # file => text
find({ no_chdir => 1, wanted => sub {
    $code{$File::Find::name} = slurp($File::Find::name) if /\.c$/;
}}, $src);


# directives

my %dir_code;
for my $text (values %code) {
    while ($text =~ /\{\s*ngx_string\("(sluice_\w+)"\)/g) {
        $dir_code{$1} = 1;
    }
}

my $dmd = slurp("$docs/directives.md");
my %dir_doc;
for my $sec (split /^(?=### )/m, $dmd) {
    next unless $sec =~ /^### (\S+)/;
    my $name = $1;
    $dir_doc{$name} = 1;
    for my $line ('Syntax:', 'Default:', 'Context:') {
        push @bad, "directives.md: \"$name\" has no \"$line\" line"
            unless $sec =~ /^\s+\Q$line\E/m;
    }
    push @bad, "directives.md: \"$name\": the Syntax line does not name it"
        unless $sec =~ /^\s+Syntax:\s+\Q$name\E\b/m;
}

for (sort keys %dir_code) {
    push @bad, "directive $_ is not documented in directives.md"
        unless $dir_doc{$_};
}
for (sort keys %dir_doc) {
    push @bad, "directives.md documents $_, which the code does not have"
        unless $dir_code{$_};
}


# API routes

my (%collections, %actions);

for my $f (grep { m{/api/} } keys %code) {
    my $text = $code{$f};

    # resource types: collection first, then an "...Operations" collection
    while ($text =~ /ngx_http_sluice_rt_t\s+\w+\s*=\s*\{(.*?)\};/gs) {
        my @lit = $1 =~ /"([^"]*)"/g;
        $collections{$lit[0]} = 1 if @lit;
        $collections{$_} = 1 for grep { /Operations$/ } @lit;
    }

    # segments the router matches
    while ($text =~ /seg_is\(&seg\[(\d+)\],\s*"(\w+)"\)/g) {
        $collections{$2} = 1 if $1 >= 8;
    }

    # actions: tables and per-type matches
    while ($text =~ /ngx_http_sluice_action_t\s+\w+\[\]\s*=\s*\{(.*?)\};/gs) {
        my $t = $1;
        $actions{$1} = 1 while $t =~ /ngx_string\("(\w+)"\)/g;
    }
    while ($text =~ /_action_is\("(\w+)"\)/g) {
        $actions{$1} = 1;
    }
}

push @bad, "no API collections found in $src/api" unless %collections;
push @bad, "no API actions found in $src/api" unless %actions;

my $amd = slurp("$docs/api.md");

# the routes of api.md: "METHOD {base}/..." lines
my %doc_segs;
my $nroutes = 0;
while ($amd =~ /^\s+(?:GET|PUT|PATCH|POST|DELETE)\s+\{base\}(\/\S*)/mg) {
    my $path = $1;
    $nroutes++;
    $path =~ s/[?\[].*//;
    for my $seg (split m{/}, $path) {
        next if $seg eq '' || $seg =~ /^\{.*\}$/;
        $doc_segs{lc $seg} = $seg;
    }
}

push @bad, "api.md: no routes (\"GET {base}/...\" lines) found"
    unless $nroutes;

for (sort keys %collections, sort keys %actions) {
    push @bad, "api.md: no route has the segment \"$_\""
        unless $doc_segs{lc $_};
}

my %known = map { lc $_ => 1 } keys %collections, keys %actions,
    'operationLocations';
for (sort keys %doc_segs) {
    push @bad, "api.md documents the segment \"$doc_segs{$_}\", which the"
        . " router does not know" unless $known{$_};
}

if (@bad) {
    print "docs: $_\n" for @bad;
    print "docs: " . scalar(@bad) . " mismatch(es)\n";
    exit 1;
}

printf "docs: %d directives, %d collections, %d actions, %d routes:"
    . " documented as in the code\n",
    scalar(keys %dir_code), scalar(keys %collections),
    scalar(keys %actions), $nroutes;
exit 0;
