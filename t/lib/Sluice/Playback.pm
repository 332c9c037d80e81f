package Sluice::Playback;

# Copyright (C) 2026, The Sluice authors.

=head1 NAME

Sluice::Playback - shared set-up of the playback suites (t/070-073):
streaming locators, live outputs (cloud DVR), video on demand,
streaming endpoints

=head1 SYNOPSIS

    my $t = Test::Sluice->new();
    $t->has_program('ffmpeg', 'ffprobe');
    Sluice::Playback::config($t);
    $t->run();

    Sluice::Playback::start_endpoint($t, 'default');
    my $ev = $t->create_live_event('ev1', token => $token);
    my $paths = Sluice::Playback::record($t, 'ev1', 'o1', 'a1', 'loc1',
        archiveWindowLength => 'PT10M', manifestName => 'show');
    # $paths->{Hls}[0] "/{id}/show.ism/manifest(format=m3u8-aapl)" ...

=head1 FUNCTIONS

C<config($t, %o)>: 2 workers, a thread pool, RTMP on %%PORT_1935%%,
the API and the packager on %%PORT_8080%%, C<sluice_transition_time 0s>;
C<$o{http}> extra http lines, C<$o{location}> extra lines of the
packager location, C<$o{server}> extra server lines, C<$o{workers}>
worker processes (written by C<< $t->write_sluice_conf >>).

C<start_endpoint($t, $name)>, C<stop_endpoint($t, $name)>: POST and wait
for the state.

C<record($t, $event, $output, $asset, $locator, %output_props)>: PUT
the asset, the live output (properties merged), a streaming locator
(C<Predefined_ClearStreamingOnly> unless C<policy> is given in
%output_props), then C<listPaths>; returns { Hls => [...], Dash =>
[...], SmoothStreaming => [...] } (paths as listPaths gives them).

C<locator($t, $name, $asset, $policy, %props)>: PUT a streaming locator
(extra properties: startTime, endTime...), returns its paths as
C<paths($t, $name)> does (listPaths by protocol).

C<endpoint_state($t, $name)>: the resourceState of a streaming endpoint.

C<url($t, $path)>: the absolute URL of a path on %%PORT_8080%%.

C<ffprobe($t, $path, @args)>: ffprobe -v error on the URL of $path;
returns (decoded JSON or undef, stderr).

C<segments($playlist_body)>: the [URI, EXTINF seconds] pairs of an HLS
media playlist.

C<get_host($t, $path, $host)>: GET with that Host header; returns
{ status, headers, body }.

C<wait_media($t, $path, $timeout)>: waits until GET $path answers 200
(the recording has media); returns the response.

C<smooth_fragments($manifest_body, $type)>: the fragments of the first
StreamIndex of that C<Type> (default C<video>) of a Smooth manifest, as
[start, duration] pairs in seconds (C<r> repeats expanded, TimeScale
applied).  C<wait_fragments($t, $path, $n, %o)>: waits until the Smooth
manifest at $path lists at least $n video fragments (C<seconds>: and at
least that much media; C<timeout>, default 60 s); returns the fragments.

=cut

use strict;
use warnings;

use Test::More ();
use JSON::PP ();
use IPC::Run ();

sub config {
    my ($t, %o) = @_;

    my $loc = $o{location} // '';

    $t->write_sluice_conf(
        http => "sluice_transition_time 0s;\n" . ($o{http} // ''),
        server => "server_name localhost;\n" . ($o{server} // ''),
        location => "aio threads=sluice;\n$loc",
        ($o{workers} ? (workers => $o{workers}) : ()));
}

sub endpoint_state {
    my ($t, $name) = @_;
    my $r = $t->api(GET => "streamingEndpoints/$name");
    return $r->{json}{properties}{resourceState} // '';
}

sub start_endpoint {
    my ($t, $name) = @_;
    $t->api(POST => "streamingEndpoints/$name/start");
    return $t->wait_for(sub { endpoint_state($t, $name) eq 'Running' }, 20);
}

sub stop_endpoint {
    my ($t, $name) = @_;
    $t->api(POST => "streamingEndpoints/$name/stop");
    return $t->wait_for(sub { endpoint_state($t, $name) eq 'Stopped' }, 20);
}

sub record {
    my ($t, $event, $output, $asset, $locator, %props) = @_;

    my $policy = delete $props{policy} // 'Predefined_ClearStreamingOnly';

    my $r = $t->api(PUT => "assets/$asset", { properties => {} });
    Test::More::diag("asset $asset: $r->{status} $r->{body}")
        unless $r->{status} =~ /^20[01]$/;

    $r = $t->api(PUT => "liveEvents/$event/liveOutputs/$output",
        { properties => { assetName => $asset,
                          archiveWindowLength => 'PT10M', %props } });
    Test::More::diag("output $output: $r->{status} $r->{body}")
        unless $r->{status} =~ /^20[012]$/;

    $t->wait_for(sub {
        my $g = $t->api(GET => "liveEvents/$event/liveOutputs/$output");
        return ($g->{json}{properties}{resourceState} // '') eq 'Running';
    }, 20) or Test::More::diag("output $output not running");

    return locator($t, $locator, $asset, $policy);
}

sub locator {
    my ($t, $locator, $asset, $policy, %props) = @_;

    my $r = $t->api(PUT => "streamingLocators/$locator", { properties => {
        assetName => $asset,
        streamingPolicyName => $policy // 'Predefined_ClearStreamingOnly',
        %props } });
    Test::More::diag("locator $locator: $r->{status} $r->{body}")
        unless $r->{status} == 201;

    return paths($t, $locator);
}

sub paths {
    my ($t, $locator) = @_;

    my $r = $t->api(POST => "streamingLocators/$locator/listPaths");
    my %p;

    for my $sp (@{ $r->{json}{streamingPaths} // [] }) {
        $p{ $sp->{streamingProtocol} } = $sp->{paths};
    }

    return \%p;
}

sub url {
    my ($t, $path) = @_;
    return 'http://127.0.0.1:' . $t->port(8080) . $path;
}

sub ffprobe {
    my ($t, $path, @args) = @_;

    my ($out, $err) = ('', '');
    my $url = url($t, $path);
    IPC::Run::run([ 'ffprobe', '-v', 'error', @args, '-of', 'json',
        '-show_streams', '-show_format', $url ], '<', \undef,
        '>', \$out, '2>', \$err, IPC::Run::timeout(90));

    return (eval { JSON::PP::decode_json($out) }, $err);
}

sub wait_media {
    my ($t, $path, $timeout) = @_;

    return $t->wait_for(sub {
        my $r = $t->get($path);
        return $r->{status} == 200 ? $r : undef;
    }, $timeout // 30, 0.5);
}

# GET with another Host header (HTTP::Tiny refuses to set one)

sub get_host {
    my ($t, $path, $host) = @_;

    my $raw = $t->http_raw("GET $path HTTP/1.0\r\nHost: $host\r\n\r\n");
    my ($head, $body) = split /\r\n\r\n/, $raw // '', 2;
    my ($status) = ($head // '') =~ m{^HTTP/1\.\d (\d+)};
    my %h;

    for my $line (split /\r\n/, $head // '') {
        $h{ lc $1 } = $2 if $line =~ /^([^:]+):\s*(.*)$/;
    }

    return { status => $status // 599, headers => \%h, body => $body // '' };
}

# the segment URIs of an HLS media playlist, with their EXTINF durations

sub segments {
    my ($body) = @_;
    my @s;

    while ($body =~ /#EXTINF:([\d.]+),[^\n]*\n([^\n#][^\n]*)/g) {
        push @s, [ $2, $1 ];
    }

    return @s;
}

# the [start, duration] (seconds) of a Smooth StreamIndex's fragments

sub smooth_fragments {
    my ($body, $type) = @_;

    $type //= 'video';
    my ($si) = ($body // '')
        =~ m{(<StreamIndex\b[^>]*Type="$type".*?</StreamIndex>)}s
        or return ();
    my ($scale) = $body =~ /<SmoothStreamingMedia\b[^>]*TimeScale="(\d+)"/;
    ($scale) = $si =~ /^<StreamIndex\b[^>]*TimeScale="(\d+)"/ unless $scale;
    $scale ||= 10_000_000;

    my ($pos, @f) = (0);
    for my $c ($si =~ /<c\b([^>]*)>/g) {
        my ($t) = $c =~ /\bt="(\d+)"/;
        my ($d) = $c =~ /\bd="(\d+)"/;
        my ($r) = $c =~ /\br="(\d+)"/;
        $pos = $t if defined $t;
        for (1 .. ($r // 1)) {
            push @f, [ $pos / $scale, ($d // 0) / $scale ];
            $pos += $d // 0;
        }
    }
    return @f;
}

sub wait_fragments {
    my ($t, $path, $n, %o) = @_;

    my $f = $t->wait_for(sub {
        my $r = $t->get($path);
        return unless $r->{status} == 200;
        my @f = smooth_fragments($r->{body}, 'video');
        my $secs = 0;
        $secs += $_->[1] for @f;
        return @f >= $n && $secs >= ($o{seconds} // 0) ? \@f : undef;
    }, timeout => $o{timeout} // 60, interval => 0.5,
       what => "$n fragments in $path");

    return $f ? @$f : ();
}

1;
