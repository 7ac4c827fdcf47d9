// layer_writer for the layer of the library's own API schema (mtproto::api, api::layer).
#include "mtproto/api/Chat.h"
#include "mtproto/api/ChatPhoto.h"
#include "mtproto/api/Config.h"
#include "mtproto/api/DcOption.h"
#include "mtproto/api/Document.h"
#include "mtproto/api/DocumentAttribute.h"
#include "mtproto/api/Message.h"
#include "mtproto/api/MessageMedia.h"
#include "mtproto/api/Peer.h"
#include "mtproto/api/User.h"
#include "mtproto/api/UserProfilePhoto.h"
#include "mtproto/api/UserStatus.h"
#include "mtproto/api/auth/Authorization.h"
#include "mtproto/api/contacts/ResolvedPeer.h"
#include "mtproto/api/messages/Messages.h"
#include "layer_writer_impl.h"

namespace mtproto::testdc {
namespace {

namespace ns = ::mtproto::api;

struct types_library {
  using config = ns::config;
  using dcOption = ns::dcOption;
  using User = ns::User;
  using user = ns::user;
  using userProfilePhotoEmpty = ns::userProfilePhotoEmpty;
  using userStatusEmpty = ns::userStatusEmpty;
  using Peer = ns::Peer;
  using peerChannel = ns::peerChannel;
  using Chat = ns::Chat;
  using channel = ns::channel;
  using chatPhotoEmpty = ns::chatPhotoEmpty;
  using Message = ns::Message;
  using message = ns::message;
  using messageMediaDocument = ns::messageMediaDocument;
  using document = ns::document;
  using documentAttributeFilename = ns::documentAttributeFilename;
  using authorization = ns::auth::authorization;
  using resolvedPeer = ns::contacts::resolvedPeer;
  using channelMessages = ns::messages::channelMessages;
  using messages = ns::messages::messages;
};

}  // namespace

const layer_writer& layer_writer_library() noexcept {
  static const detail::layer_writer_impl<types_library, layer_library> writer;
  return writer;
}

}  // namespace mtproto::testdc
