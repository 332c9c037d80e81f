package Sluice::Record;

# Copyright (C) 2026, The Sluice authors.

=head1 NAME

Sluice::Record - shared set-up of the recording suites (t/060-062)

=head1 FUNCTIONS

C<config($t, %o)>: nginx.conf with 2 workers (C<workers>), a thread pool,
RTMP application C<live> (C<ring>: sluice_fragment_ring, default 8),
the API and the packager on %%PORT_8080%%, C<data> the data path
(default C<data>), transition time 0s (written by
C<< $t->write_sluice_conf >>).

C<event($t, $name, $token)>: live event created and started; returns
the ingest URL base C<rtmp://127.0.0.1:PORT/live/TOKEN>.

C<asset($t, $name)>: PUT the asset, returns its assetId.

C<output($t, $event, $name, $asset, $window)>: PUT the live output
(archiveWindowLength $window), waits until it is Running.

C<slots($dir)>: the slots of an asset directory: list of hashrefs
C<slot>, C<dir>, C<version>, C<type> ('video'/'audio'), C<stream>,
C<init_version>, C<archive_ms>, C<bitrate>, C<lang>, C<captions>
(SLUICE_CAPTIONS_* of a version 3 descriptor, else 0), C<records>
(arrayref of hashrefs C<time>, C<duration>, C<seq>, C<size>, C<flags>,
C<init>, C<key_size>).

C<records($file, $version)>: the records of an index file (version 2,
the default: 32 bytes each; version 1: 24 bytes, no key_size).

C<pack_record($r, $version)>: the bytes of one record.

C<make_v1($slot)>: rewrites a slot (from C<slots>) as Sluice before asset
version 2 wrote it: the descriptor cut before the language, its version
1, index records of 24 bytes.

C<make_v2($slot)>: rewrites a slot's descriptor as Sluice before asset
version 3 wrote it: cut before the closed captions, its version 2 (the
index records are the same).

=cut

use strict;
use warnings;

use Test::More ();
use Sluice::Ingest ();

sub config {
    my ($t, %o) = @_;

    my $ring = $o{ring} // 8;

    $t->write_sluice_conf(
        workers => $o{workers} // 2,
        data => $o{data} // 'data',
        app_pool => 0,
        app => "sluice_fragment_ring $ring;",
        http => 'sluice_transition_time 0s;');
}

sub event {
    my ($t, $name, $token) = @_;

    my $ev = $t->create_live_event($name, token => $token,
        input => { accessControl => { ip => { allow => [
            { name => 'all', address => '0.0.0.0',
              subnetPrefixLength => 0 } ] } } })
        or return;

    return 'rtmp://127.0.0.1:' . $t->port(1935) . "/live/$token";
}

sub asset {
    my ($t, $name) = @_;

    my $r = $t->api(PUT => "assets/$name", { properties => {} });
    unless ($r->{status} =~ /^20[01]$/) {
        Test::More::diag("asset $name: $r->{status} $r->{body}");
        return;
    }

    return $r->{json}{properties}{assetId};
}

sub output {
    my ($t, $event, $name, $asset, $window, %props) = @_;

    my $r = $t->api(PUT => "liveEvents/$event/liveOutputs/$name",
        { properties => { assetName => $asset,
                          archiveWindowLength => $window,
                          manifestName => $name, %props } });
    unless ($r->{status} =~ /^20[01]$/) {
        Test::More::diag("output $name: $r->{status} $r->{body}");
        return;
    }

    return $t->wait_for(sub {
        my $g = $t->api(GET => "liveEvents/$event/liveOutputs/$name");
        ($g->{json}{properties}{resourceState} // '') eq 'Running';
    }, 20);
}

sub delete_output {
    my ($t, $event, $name) = @_;

    my $r = $t->api(DELETE => "liveEvents/$event/liveOutputs/$name");
    return unless $r->{status} =~ /^20[024]$/;

    return $t->wait_for(sub {
        $t->api(GET => "liveEvents/$event/liveOutputs/$name")->{status}
            == 404;
    }, 20);
}

sub rec_size {
    my ($version) = @_;

    return ($version // 2) == 1 ? 24 : 32;
}

sub pack_record {
    my ($r, $version) = @_;

    my $d = pack('Q< L< L< L< S< S<', $r->{time}, $r->{duration},
        $r->{seq}, $r->{size}, $r->{flags}, $r->{init});

    return $d if ($version // 2) == 1;
    return $d . pack('L< L<', $r->{key_size} // 0, 0);
}

sub records {
    my ($file, $version) = @_;

    my $size = rec_size($version);

    open my $fh, '<:raw', $file or return [];
    local $/;
    my $d = <$fh> // '';
    close $fh;

    my @r;

    for (my $p = 0; $p + $size <= length $d; $p += $size) {
        my ($time, $duration, $seq, $bytes, $flags, $init, $key) =
            unpack('Q< L< L< L< S< S< L<', substr($d . "\0" x 8, $p, 32));
        push @r, { time => $time, duration => $duration, seq => $seq,
                   size => $bytes, flags => $flags, init => $init,
                   key_size => $size == 32 ? $key : 0 };
    }

    return \@r;
}

# ngx_sluice_asset_track_t: magic, version, slot, init_version (u32),
# archive_ms (u64), stream[65], then sluice_track_info_t at offset 92:
# media_type, codec, timescale, bitrate (u32) ... lang[16] at 688
# (version 2; version 1 ends before it, 688 bytes), captions (u32) at
# 704 (version 3, 712 bytes with the padding; version 2 ends before it)
sub slots {
    my ($dir) = @_;

    my @s;

    for my $d (sort glob("$dir/*")) {
        next unless -f "$d/track";

        open my $fh, '<:raw', "$d/track" or next;
        local $/;
        my $b = <$fh> // '';
        close $fh;

        next if length $b < 104;

        my ($magic, $version, $slot, $init, $archive) =
            unpack('L< L< L< L< Q<', substr($b, 0, 24));
        my ($stream) = unpack('Z*', substr($b, 24, 65));
        my ($type, $codec, $timescale, $bitrate) =
            unpack('L< L< L< L<', substr($b, 92, 16));

        next unless $magic == 0x534c4154;

        my $lang = $version >= 2 ? unpack('Z*', substr($b, 688, 16)) : '';
        my $cc = $version >= 3 ? unpack('L<', substr($b, 704, 4)) : 0;

        push @s, { slot => $slot, dir => $d, stream => $stream,
                   version => $version, lang => $lang, captions => $cc,
                   type => ($type == 0 ? 'video' : 'audio'),
                   media_type => $type, timescale => $timescale,
                   bitrate => $bitrate, init_version => $init,
                   archive_ms => $archive,
                   records => records("$d/index", $version) };
    }

    return @s;
}

sub make_v2 {
    my ($s) = @_;

    open my $fh, '<:raw', "$s->{dir}/track" or return;
    local $/;
    my $b = <$fh> // '';
    close $fh;

    return unless length $b == 712;

    # version 2 ends before the captions at 704
    substr($b, 4, 4) = pack('L<', 2);
    $b = substr($b, 0, 704);

    open $fh, '>:raw', "$s->{dir}/track.tmp" or return;
    print $fh $b;
    close $fh or return;

    return rename "$s->{dir}/track.tmp", "$s->{dir}/track";
}

sub make_v1 {
    my ($s) = @_;

    open my $fh, '<:raw', "$s->{dir}/track" or return;
    local $/;
    my $b = <$fh> // '';
    close $fh;

    # version 1 ends before the lang[16] at 688
    substr($b, 4, 4) = pack('L<', 1);
    $b = substr($b, 0, 688);

    my $idx = join('', map { pack_record($_, 1) } @{$s->{records}});

    for ([ 'track', $b ], [ 'index', $idx ]) {
        open $fh, '>:raw', "$s->{dir}/$_->[0]" or return;
        print $fh $_->[1];
        close $fh;
    }

    return 1;
}

# publish_with_holes($t, $event, $url, @outages): publishes of 8 s
# (2 s GOPs) to stream "s" of $url, each followed by an outage of that
# many seconds of wall clock (the event's timeline follows it: each is a
# hole), then one that goes on; returns that publisher
sub publish_with_holes {
    my ($t, $event, $url, @outages) = @_;

    my $av = Sluice::Ingest::fixture('av', duration => 8, gop => 2);

    for my $outage (@outages) {
        my $from = $t->log_offset();
        my $pub = $t->publish(input => $av, url => "$url/s");
        $t->wait_publisher_exit($pub, 40);
        $t->wait_log(qr/"s" stops publishing to live event "\Q$event\E"/,
            from => $from);

        my $until = time() + $outage;
        $t->wait_for(sub { time() >= $until }, timeout => $outage + 5,
            interval => 0.2);
    }

    return $t->publish(input => $av, loop => 1, url => "$url/s");
}

1;
