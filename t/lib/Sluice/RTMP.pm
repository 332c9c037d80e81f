package Sluice::RTMP;

# Copyright (C) 2026, The Sluice authors.

=head1 NAME

Sluice::RTMP - a small blocking RTMP publisher and FLV reader for tests

=head1 SYNOPSIS

    use Sluice::RTMP;

    my $pub = Sluice::RTMP->new(port => $port, app => "live/$token");
    $pub->publish('s');                  # dies unless Publish.Start

    for my $tag (Sluice::RTMP::flv_tags($file)) {
        next if $tag->{type} == 18;
        $pub->message($tag->{type}, $tag->{ts} + 1000, $tag->{data});
    }

    $pub->close();

=head1 DESCRIPTION

Unlike ffmpeg (which rebases FLV timestamps to 0), this publisher sends
audio and video messages with whatever 32-bit timestamp a test asks for,
so a test can publish a 32-bit wrap or a jump.  Written from the RTMP 1.0
(Adobe, 2012), AMF0 and FLV 10.1 specifications.

The publisher speaks the plain (version 0, digest-less) handshake, sends
Set Chunk Size (C<chunk_size>, default 60000: nginx-rtmp accepts up to
10 MB; most media messages then fit one chunk), C<connect>,
C<releaseStream>, C<FCPublish>, C<createStream> and C<publish>.  Every
message goes out with a type 0 chunk header carrying its absolute
timestamp; timestamps from 0xFFFFFF on use the extended timestamp field,
repeated in the type 3 continuation chunks of the same message (as Flash
and ffmpeg do, and as nginx-rtmp expects with its default
C<publish_time_fix on>).

Server messages (window size, bandwidth, chunk size, user control,
command results, onStatus) are read and parsed (chunk streams of any
format, AMF0 commands); media are never read.

=head1 METHODS

=over

=item new(%opts)

connects, handshakes, sets the chunk size and sends C<connect>; dies
unless its C<_result> arrives.  Options: C<host> (127.0.0.1), C<port>
(1935), C<local> (the source address, e.g. 127.0.0.2, for the address
allow-lists), C<app> (required), C<tc_url> (default
C<rtmp://HOST:PORT/APP>),
C<chunk_size> (60000), C<timeout> (s to wait for an answer, 10),
C<connect> (a hashref of more properties of the C<connect> command
object: an Enhanced RTMP publisher's C<< fourCcList => [ 'hvc1' ] >>).

=item publish($name, $type)

C<releaseStream>, C<FCPublish>, C<createStream> (waits for its result,
the message stream id), C<publish> (C<$type> default C<live>); returns
once C<onStatus> says C<NetStream.Publish.Start>, dies otherwise (the
code, or the connection closed, in the message).

=item message($type, $ts, $data), audio($ts, $data), video($ts, $data)

sends one message (8 audio, 9 video, 18 data) on the published stream;
$ts is taken modulo 2**32.  The payload is an FLV tag's body as it is.
Returns false once the connection failed.

=item poll()

reads and parses what the server sent so far without blocking; returns
the messages (hashrefs: C<type>, C<ts>, C<msid>, C<data>, and C<amf>, the
decoded values of a command).  C<closed()> is true once the server closed
the connection.

=item close()

=back

=head1 FUNCTIONS

=over

=item flv_tags($file)

the tags of an FLV file in file order: hashrefs with C<type> (8, 9 or
18), C<ts> (milliseconds, the extended byte included), C<data> (the tag
body).  Dies on a file that is not FLV; stops at a truncated tag.

=item amf0_encode(@values), amf0_decode($bytes)

AMF0 values: C<undef> is null, a hashref an object, an arrayref a strict
array, a reference to a scalar a number, anything else a string.
Decoding gives numbers and strings as scalars, booleans as 1 or 0,
objects and ECMA arrays as hashrefs, strict arrays as arrayrefs.

=back

=cut

use strict;
use warnings;

use Carp qw(croak);
use IO::Select;
use IO::Socket::INET;
use Time::HiRes qw(time);

use constant {
    CS_CONTROL => 2,
    CS_COMMAND => 3,
    CS_AUDIO   => 4,
    CS_DATA    => 5,
    CS_VIDEO   => 6,

    MSG_CHUNK_SIZE => 1,
    MSG_AUDIO      => 8,
    MSG_VIDEO      => 9,
    MSG_DATA       => 18,
    MSG_COMMAND    => 20,
};

sub new {
    my ($class, %o) = @_;

    croak 'app expected' unless defined $o{app};

    my $self = bless {
        host => $o{host} // '127.0.0.1',
        port => $o{port} // 1935,
        app => $o{app},
        chunk_size => $o{chunk_size} // 60000,
        timeout => $o{timeout} // 10,
        connect => $o{connect} // {},
        in_chunk_size => 128,
        rbuf => '',
        streams => {},
        txn => 0,
        msid => 0,
        closed => 0,
    }, $class;

    $self->{tc_url} = $o{tc_url}
        // "rtmp://$self->{host}:$self->{port}/$self->{app}";

    $self->{sock} = IO::Socket::INET->new(PeerAddr => $self->{host},
        PeerPort => $self->{port}, Proto => 'tcp',
        (defined $o{local} ? (LocalAddr => $o{local}) : ()),
        Timeout => $self->{timeout})
        or croak "connect $self->{host}:$self->{port}: $!";
    binmode $self->{sock};

    $self->_handshake();

    $self->_send(CS_CONTROL, MSG_CHUNK_SIZE, 0, 0,
        pack('N', $self->{chunk_size}));

    my $txn = $self->_command(0, 'connect', {
        app => $self->{app},
        type => 'nonprivate',
        flashVer => 'FMLE/3.0 (compatible; Sluice test)',
        tcUrl => $self->{tc_url},
        %{$self->{connect}},
    });

    my $r = $self->_result($txn);
    croak "connect: $r->{amf}[0]"
        unless $r->{amf}[0] eq '_result';

    return $self;
}

sub publish {
    my ($self, $name, $type) = @_;

    $self->_command(0, 'releaseStream', undef, $name);
    $self->_command(0, 'FCPublish', undef, $name);

    my $r = $self->_result($self->_command(0, 'createStream', undef));
    croak "createStream: $r->{amf}[0]"
        unless $r->{amf}[0] eq '_result' && defined $r->{amf}[3];

    $self->{msid} = $r->{amf}[3];

    # publish has transaction id 0: the answer is an onStatus

    $self->_send(CS_COMMAND, MSG_COMMAND, 0, $self->{msid},
        amf0_encode('publish', \0, undef, $name, $type // 'live'));

    my $st = $self->_wait(sub {
        ($_[0]{amf} && $_[0]{amf}[0] // '') eq 'onStatus'
    });
    my $code = ref $st->{amf}[3] eq 'HASH' ? $st->{amf}[3]{code} // '' : '';

    croak "publish: $code" unless $code eq 'NetStream.Publish.Start';

    return 1;
}

sub message {
    my ($self, $type, $ts, $data) = @_;

    my $cs = $type == MSG_AUDIO ? CS_AUDIO
           : $type == MSG_VIDEO ? CS_VIDEO : CS_DATA;

    return $self->_send($cs, $type, $ts, $self->{msid}, $data);
}

sub audio { my $s = shift; $s->message(MSG_AUDIO, @_) }
sub video { my $s = shift; $s->message(MSG_VIDEO, @_) }

sub closed { $_[0]{closed} }

sub close {
    my ($self) = @_;

    CORE::close($self->{sock}) if $self->{sock};
    $self->{sock} = undef;
    $self->{closed} = 1;
}

sub poll {
    my ($self) = @_;

    my $sel = IO::Select->new($self->{sock} // return ());

    while (!$self->{closed} && $sel->can_read(0)) {
        $self->_fill() or last;
    }

    return $self->_parse();
}

###############################################################################
# connection

# C0 C1 -> S0 S1 S2 -> C2 (C1: time, zero, random; C2 echoes S1)
sub _handshake {
    my ($self) = @_;

    my $c1 = pack('NN', 0, 0)
        . join('', map { chr(int(rand(256))) } 1 .. 1528);

    $self->_write("\x03" . $c1) or croak "handshake: $!";

    my $s = $self->_read_exactly(1 + 1536 + 1536);
    croak 'handshake: connection closed' unless defined $s;
    croak 'handshake: unexpected version ' . ord($s)
        unless ord($s) == 3;

    $self->_write(substr($s, 1, 1536)) or croak "handshake: $!";
}

sub _write {
    my ($self, $buf) = @_;

    local $SIG{PIPE} = 'IGNORE';

    my $sock = $self->{sock} or return 0;

    while (length $buf) {
        my $n = syswrite($sock, $buf);

        unless ($n) {
            $self->{closed} = 1;
            return 0;
        }

        substr($buf, 0, $n) = '';
    }

    return 1;
}

# more bytes into rbuf, waiting up to the timeout
sub _fill {
    my ($self) = @_;

    my $sel = IO::Select->new($self->{sock} // return 0);
    return 0 unless $sel->can_read($self->{timeout});

    my $n = sysread($self->{sock}, $self->{rbuf}, 65536,
        length $self->{rbuf});

    unless ($n) {
        $self->{closed} = 1;
        return 0;
    }

    return 1;
}

sub _read_exactly {
    my ($self, $len) = @_;

    while (length $self->{rbuf} < $len) {
        $self->_fill() or return undef;
    }

    return substr($self->{rbuf}, 0, $len, '');
}

###############################################################################
# chunk stream

# one message as a type 0 chunk and type 3 continuations
sub _send {
    my ($self, $cs, $type, $ts, $msid, $data) = @_;

    $ts = $ts % 2**32;

    my $ext = $ts >= 0xffffff;
    my $et = $ext ? pack('N', $ts) : '';

    my $out = chr($cs) . substr(pack('N', $ext ? 0xffffff : $ts), 1)
        . substr(pack('N', length $data), 1) . chr($type)
        . pack('V', $msid) . $et;

    my $pos = 0;

    do {
        $out .= chr(0xc0 | $cs) . $et if $pos;
        $out .= substr($data, $pos, $self->{chunk_size});
        $pos += $self->{chunk_size};
    } while ($pos < length $data);

    return $self->_write($out);
}

# complete messages out of rbuf
sub _parse {
    my ($self) = @_;

    my @msgs;

    while (1) {
        my $b = $self->{rbuf};
        last if length $b < 1;

        my $b0 = ord($b);
        my $fmt = $b0 >> 6;
        my $cs = $b0 & 0x3f;
        my $p = 1;

        if ($cs < 2) {
            last if length $b < 2 + $cs;
            $cs = 64 + ord(substr($b, 1, 1))
                + ($cs ? 256 * ord(substr($b, 2, 1)) : 0);
            $p += 1 + ($b0 & 1);
        }

        my $st = $self->{streams}{$cs} //= {
            ts => 0, delta => 0, len => 0, type => 0, msid => 0, ext => 0,
            data => '',
        };

        my $mh = (11, 7, 3, 0)[$fmt];
        last if length $b < $p + $mh;

        my ($field, $len, $type, $msid) = ($st->{delta}, $st->{len},
            $st->{type}, $st->{msid});
        my $ext = $st->{ext};

        if ($fmt <= 2) {
            $field = unpack('N', "\0" . substr($b, $p, 3));
            $ext = $field == 0xffffff;
        }
        if ($fmt <= 1) {
            $len = unpack('N', "\0" . substr($b, $p + 3, 3));
            $type = ord(substr($b, $p + 6, 1));
        }
        if ($fmt == 0) {
            $msid = unpack('V', substr($b, $p + 7, 4));
        }
        $p += $mh;

        if ($ext) {
            last if length $b < $p + 4;
            $field = unpack('N', substr($b, $p, 4));
            $p += 4;
        }

        my $new = length $st->{data} == 0;
        my $n = $len - ($new ? 0 : length $st->{data});
        $n = $self->{in_chunk_size} if $n > $self->{in_chunk_size};
        last if length $b < $p + $n;

        if ($new) {
            if ($fmt == 0) {
                $st->{ts} = $field;
                $st->{delta} = 0;
            } elsif ($fmt <= 2) {
                $st->{delta} = $field;
                $st->{ts} = ($st->{ts} + $field) % 2**32;
            } else {
                $st->{ts} = ($st->{ts} + $st->{delta}) % 2**32;
            }
            @$st{qw(len type msid ext)} = ($len, $type, $msid, $ext);
        }

        $st->{data} .= substr($b, $p, $n);
        substr($self->{rbuf}, 0, $p + $n) = '';

        next if length $st->{data} < $st->{len};

        my $m = { type => $st->{type}, ts => $st->{ts},
                  msid => $st->{msid}, data => $st->{data} };
        $st->{data} = '';

        if ($m->{type} == MSG_CHUNK_SIZE && length $m->{data} >= 4) {
            $self->{in_chunk_size} = unpack('N', $m->{data}) & 0x7fffffff;
        }
        if ($m->{type} == MSG_COMMAND) {
            $m->{amf} = [ amf0_decode($m->{data}) ];
        }

        push @msgs, $m;
    }

    return @msgs;
}

###############################################################################
# commands

sub _command {
    my ($self, $msid, $name, @args) = @_;

    my $txn = ++$self->{txn};

    $self->_send(CS_COMMAND, MSG_COMMAND, 0, $msid,
        amf0_encode($name, \$txn, @args))
        or croak "$name: connection closed";

    return $txn;
}

# the _result or _error of a transaction
sub _result {
    my ($self, $txn) = @_;

    return $self->_wait(sub {
        my $a = $_[0]{amf} or return 0;
        return ($a->[0] // '') =~ /^_(result|error)$/
            && ($a->[1] // -1) == $txn;
    });
}

# the first message $match accepts; dies after the timeout
sub _wait {
    my ($self, $match) = @_;

    my $deadline = time + $self->{timeout};

    while (1) {
        my @q = (@{$self->{pending} // []}, $self->_parse());

        while (my $m = shift @q) {
            if ($match->($m)) {
                $self->{pending} = \@q;
                return $m;
            }
        }

        $self->{pending} = [];

        croak 'connection closed' if $self->{closed};
        croak 'no answer' if time > $deadline;

        $self->_fill();
    }
}

###############################################################################
# AMF0

sub amf0_encode {
    my $out = '';

    for my $v (@_) {
        if (!defined $v) {
            $out .= "\x05";

        } elsif (ref $v eq 'SCALAR') {
            $out .= "\x00" . pack('d>', $$v);

        } elsif (ref $v eq 'HASH') {
            $out .= "\x03";
            for my $k (sort keys %$v) {
                $out .= pack('n', length $k) . $k . amf0_encode($v->{$k});
            }
            $out .= "\x00\x00\x09";

        } elsif (ref $v eq 'ARRAY') {
            $out .= "\x0a" . pack('N', scalar @$v) . amf0_encode(@$v);

        } else {
            $out .= "\x02" . pack('n', length $v) . $v;
        }
    }

    return $out;
}

sub amf0_decode {
    my ($bytes) = @_;

    my $p = 0;
    my @v;

    push @v, _amf0_value(\$bytes, \$p) while $p < length $bytes;

    return @v;
}

sub _amf0_value {
    my ($b, $p) = @_;

    my $marker = ord(substr($$b, $$p++, 1));

    if ($marker == 0x00) {
        $$p += 8;
        return unpack('d>', substr($$b, $$p - 8, 8));
    }
    if ($marker == 0x01) {
        return ord(substr($$b, $$p++, 1)) ? 1 : 0;
    }
    if ($marker == 0x02 || $marker == 0x0c) {
        my $w = $marker == 0x02 ? 2 : 4;
        my $len = unpack($w == 2 ? 'n' : 'N', substr($$b, $$p, $w));
        $$p += $w + $len;
        return substr($$b, $$p - $len, $len);
    }
    if ($marker == 0x03 || $marker == 0x08) {
        $$p += 4 if $marker == 0x08;
        my %h;
        while ($$p + 3 <= length $$b) {
            my $len = unpack('n', substr($$b, $$p, 2));
            if ($len == 0 && ord(substr($$b, $$p + 2, 1)) == 0x09) {
                $$p += 3;
                last;
            }
            my $k = substr($$b, $$p + 2, $len);
            $$p += 2 + $len;
            $h{$k} = _amf0_value($b, $p);
        }
        return \%h;
    }
    if ($marker == 0x0a) {
        my $n = unpack('N', substr($$b, $$p, 4));
        $$p += 4;
        return [ map { _amf0_value($b, $p) } 1 .. $n ];
    }
    if ($marker == 0x05 || $marker == 0x06) {
        return undef;
    }

    # an AMF0 type this client does not read: skip the rest

    $$p = length $$b;
    return undef;
}

###############################################################################
# FLV

# header: "FLV", version, flags, header size; then PreviousTagSize0 and
# tags: type, size (24), timestamp (24) + extended (8), stream id (24),
# body, PreviousTagSize
sub flv_tags {
    my ($file) = @_;

    open my $fh, '<:raw', $file or croak "$file: $!";
    my $d = do { local $/; <$fh> };
    CORE::close($fh);

    croak "$file: not FLV" unless substr($d, 0, 3) eq 'FLV';

    my $p = unpack('N', substr($d, 5, 4)) + 4;
    my @tags;

    while ($p + 11 <= length $d) {
        my ($type, $size, $ts, $ext) =
            unpack('C N N C', substr($d, $p, 1) . "\0" . substr($d, $p + 1, 3)
                . "\0" . substr($d, $p + 4, 3) . substr($d, $p + 7, 1));

        last if $p + 11 + $size > length $d;

        push @tags, { type => $type & 0x1f, ts => $ts | ($ext << 24),
                      data => substr($d, $p + 11, $size) };

        $p += 11 + $size + 4;
    }

    return @tags;
}

1;
